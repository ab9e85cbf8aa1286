/** Interface text in the languages this template ships (template.yaml `languages`). */
import type { Messages } from '../../_runtime/i18n';

export type MessageKey =
  | 'legal.nonAccessible'
  | 'siteName'
  | 'plans'
  | 'searchPlans'
  | 'search'
  | 'district'
  | 'status'
  | 'type'
  | 'any'
  | 'keywords'
  | 'resultCount'
  | 'resultCountOne'
  | 'noResults'
  | 'documents'
  | 'noDocuments'
  | 'area'
  | 'areaHectares'
  | 'map'
  | 'code'
  | 'history'
  | 'backToList'
  | 'questions'
  | 'skipToContent'
  | 'language'
  | 'mainNavigation'
  | 'openData'
  | 'footer'
  | 'notFound'
  | 'error'
  | 'pagination'
  | 'previous'
  | 'next'
  | 'pageOf'
  | 'status.draft'
  | 'status.initial-approval'
  | 'status.final-approval'
  | 'status.in-force'
  | 'type.pgou'
  | 'type.plan-parcial'
  | 'type.plan-especial'
  | 'type.estudio-de-detalle';

export const SHIPPED_LANGUAGES = ['es', 'en', 'el', 'pt'];

export const MESSAGES: Messages<MessageKey> = {
  es: {
    'legal.nonAccessible':
      'Algunos documentos de los planes son archivos PDF publicados tal como se aprobaron y pueden no ser plenamente accesibles. La página de cada plan ofrece en texto su resumen, estado, fechas y ámbito, y la oficina de urbanismo ({email}) envía cualquier documento en otro formato si se solicita.',
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
    resultCountOne: '1 plan encontrado',
    pagination: 'Paginación',
    previous: 'Anterior',
    next: 'Siguiente',
    pageOf: 'Página {page} de {pages}',
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
  el: {
    'legal.nonAccessible':
      'Ορισμένα έγγραφα των σχεδίων είναι αρχεία PDF που δημοσιεύονται όπως εγκρίθηκαν και μπορεί να μην είναι πλήρως προσβάσιμα. Η σελίδα κάθε σχεδίου δίνει σε κείμενο την περίληψη, την κατάσταση, τις ημερομηνίες και την περιοχή του, και η υπηρεσία πολεοδομίας ({email}) στέλνει κάθε έγγραφο σε άλλη μορφή κατόπιν αιτήματος.',
    siteName: 'Urbanismo en Red',
    plans: 'Πολεοδομικά σχέδια',
    searchPlans: 'Αναζήτηση σχεδίων',
    search: 'Αναζήτηση',
    district: 'Διαμέρισμα',
    status: 'Κατάσταση',
    type: 'Τύπος',
    any: 'Όλα',
    keywords: 'Λέξεις-κλειδιά',
    resultCount: '{count} σχέδια βρέθηκαν',
    resultCountOne: '1 σχέδιο βρέθηκε',
    pagination: 'Σελιδοποίηση',
    previous: 'Προηγούμενη',
    next: 'Επόμενη',
    pageOf: 'Σελίδα {page} από {pages}',
    noResults: 'Κανένα σχέδιο δεν ταιριάζει με την αναζήτηση.',
    documents: 'Έγγραφα',
    noDocuments: 'Δεν έχουν δημοσιευτεί ακόμη έγγραφα για αυτό το σχέδιο.',
    area: 'Περιοχή εφαρμογής',
    areaHectares: 'Έκταση',
    map: 'Περιοχή του σχεδίου {code} στον χάρτη',
    code: 'Κωδικός',
    history: 'Διαδικασία',
    backToList: 'Πίσω στη λίστα σχεδίων',
    questions: 'Ερωτήσεις για αυτό το σχέδιο: {email}',
    skipToContent: 'Μετάβαση στο περιεχόμενο',
    language: 'Γλώσσα',
    mainNavigation: 'Κύρια πλοήγηση',
    openData: 'Ανοικτά δεδομένα (JSON)',
    footer: '{city} · Urbanismo en Red {version}',
    notFound: 'Η σελίδα δεν βρέθηκε.',
    error: 'Σφάλμα',
    'status.draft': 'Σχέδιο',
    'status.initial-approval': 'Αρχική έγκριση',
    'status.final-approval': 'Οριστική έγκριση',
    'status.in-force': 'Σε ισχύ',
    'type.pgou': 'Γενικό πολεοδομικό σχέδιο',
    'type.plan-parcial': 'Μερικό σχέδιο',
    'type.plan-especial': 'Ειδικό σχέδιο',
    'type.estudio-de-detalle': 'Μελέτη λεπτομερειών',
  },
  pt: {
    'legal.nonAccessible':
      'Alguns documentos dos planos são ficheiros PDF publicados tal como foram aprovados e podem não ser totalmente acessíveis. A página de cada plano apresenta em texto o resumo, o estado, as datas e o âmbito, e o serviço de urbanismo ({email}) envia qualquer documento noutro formato a pedido.',
    siteName: 'Urbanismo en Red',
    plans: 'Planos urbanísticos',
    searchPlans: 'Pesquisar planos',
    search: 'Pesquisar',
    district: 'Zona',
    status: 'Estado',
    type: 'Tipo',
    any: 'Todos',
    keywords: 'Palavras-chave',
    resultCount: '{count} planos encontrados',
    resultCountOne: '1 plano encontrado',
    pagination: 'Paginação',
    previous: 'Anterior',
    next: 'Seguinte',
    pageOf: 'Página {page} de {pages}',
    noResults: 'Nenhum plano corresponde à pesquisa.',
    documents: 'Documentos',
    noDocuments: 'Ainda não foram publicados documentos deste plano.',
    area: 'Área de intervenção',
    areaHectares: 'Superfície',
    map: 'Área do plano {code} no mapa',
    code: 'Código',
    history: 'Tramitação',
    backToList: 'Voltar à lista de planos',
    questions: 'Questões sobre este plano: {email}',
    skipToContent: 'Saltar para o conteúdo',
    language: 'Idioma',
    mainNavigation: 'Navegação principal',
    openData: 'Dados abertos (JSON)',
    footer: '{city} · Urbanismo en Red {version}',
    notFound: 'Página não encontrada.',
    error: 'Erro',
    'status.draft': 'Proposta',
    'status.initial-approval': 'Aprovação inicial',
    'status.final-approval': 'Aprovação final',
    'status.in-force': 'Em vigor',
    'type.pgou': 'Plano diretor (PGOU)',
    'type.plan-parcial': 'Plano de pormenor',
    'type.plan-especial': 'Plano especial',
    'type.estudio-de-detalle': 'Estudo de detalhe',
  },
  en: {
    'legal.nonAccessible':
      "Some plan documents are PDF files published as they were approved and may not be fully accessible. Each plan's page gives its summary, status, dates and area as text, and the planning office ({email}) sends any document in another format on request.",
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
    resultCountOne: '1 plan found',
    pagination: 'Pagination',
    previous: 'Previous',
    next: 'Next',
    pageOf: 'Page {page} of {pages}',
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
