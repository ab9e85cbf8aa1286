/** Interface text in the languages this template ships (template.yaml `languages`). */
import type { Messages } from '../../_runtime/i18n';

export type MessageKey =
  | 'siteName' | 'plans' | 'searchPlans' | 'search' | 'district' | 'status' | 'type' | 'any' | 'keywords'
  | 'resultCount' | 'noResults' | 'documents' | 'noDocuments' | 'area' | 'areaHectares' | 'map' | 'code'
  | 'history' | 'backToList' | 'questions' | 'skipToContent' | 'language' | 'mainNavigation' | 'openData'
  | 'footer' | 'notFound' | 'error'
  | 'status.draft' | 'status.initial-approval' | 'status.final-approval' | 'status.in-force'
  | 'type.pgou' | 'type.plan-parcial' | 'type.plan-especial' | 'type.estudio-de-detalle';

export const SHIPPED_LANGUAGES = ['es', 'en'];

export const MESSAGES: Messages<MessageKey> = {
  es: {
    siteName: 'Urbanismo en Red',
    plans: 'Planes urbanísticos',
    searchPlans: 'Buscar planes',
    search: 'Buscar',
    district: 'Distrito',
    status: 'Estado',
    type: 'Tipo',
    any: 'Todos',
    keywords: 'Palabras clave',
    resultCount: '{count} planes encontrados',
    noResults: 'Ningún plan coincide con la búsqueda.',
    documents: 'Documentos',
    noDocuments: 'Este plan aún no tiene documentos publicados.',
    area: 'Ámbito',
    areaHectares: 'Superficie',
    map: 'Ámbito del plan {code} en el mapa',
    code: 'Código',
    history: 'Tramitación',
    backToList: 'Volver a la lista de planes',
    questions: 'Consultas sobre este plan: {email}',
    skipToContent: 'Saltar al contenido',
    language: 'Idioma',
    mainNavigation: 'Navegación principal',
    openData: 'Datos abiertos (JSON)',
    footer: '{city} · Urbanismo en Red {version}',
    notFound: 'No se encontró la página.',
    error: 'Error',
    'status.draft': 'Borrador',
    'status.initial-approval': 'Aprobación inicial',
    'status.final-approval': 'Aprobación definitiva',
    'status.in-force': 'En vigor',
    'type.pgou': 'Plan General (PGOU)',
    'type.plan-parcial': 'Plan parcial',
    'type.plan-especial': 'Plan especial',
    'type.estudio-de-detalle': 'Estudio de detalle',
  },
  en: {
    siteName: 'Urbanismo en Red',
    plans: 'Development plans',
    searchPlans: 'Search plans',
    search: 'Search',
    district: 'District',
    status: 'Status',
    type: 'Type',
    any: 'All',
    keywords: 'Keywords',
    resultCount: '{count} plans found',
    noResults: 'No plan matches the search.',
    documents: 'Documents',
    noDocuments: 'No documents have been published for this plan yet.',
    area: 'Area',
    areaHectares: 'Surface',
    map: 'Area of plan {code} on the map',
    code: 'Code',
    history: 'Procedure',
    backToList: 'Back to the list of plans',
    questions: 'Questions about this plan: {email}',
    skipToContent: 'Skip to content',
    language: 'Language',
    mainNavigation: 'Main navigation',
    openData: 'Open data (JSON)',
    footer: '{city} · Urbanismo en Red {version}',
    notFound: 'Page not found.',
    error: 'Error',
    'status.draft': 'Draft',
    'status.initial-approval': 'Initial approval',
    'status.final-approval': 'Final approval',
    'status.in-force': 'In force',
    'type.pgou': 'General plan (PGOU)',
    'type.plan-parcial': 'Partial plan',
    'type.plan-especial': 'Special plan',
    'type.estudio-de-detalle': 'Detail study',
  },
};
