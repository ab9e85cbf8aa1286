/** Interface text in the languages this template ships (template.yaml `languages`). */
import type { Messages } from '../../_runtime/i18n';

export type MessageKey =
  | 'checkForm'
  | 'checkField'
  | 'siteName'
  | 'ideas'
  | 'propose'
  | 'filter'
  | 'status'
  | 'parish'
  | 'any'
  | 'votes'
  | 'votesOne'
  | 'ideaCountOne'
  | 'proposer'
  | 'vote'
  | 'voted'
  | 'alreadyVoted'
  | 'votingClosed'
  | 'voterNotIssued'
  | 'tooManyVoters'
  | 'noIdeas'
  | 'ideaCount'
  | 'title'
  | 'description'
  | 'street'
  | 'lat'
  | 'lon'
  | 'locationHelp'
  | 'author'
  | 'authorHelp'
  | 'submit'
  | 'submitted'
  | 'location'
  | 'comments'
  | 'noComments'
  | 'comment'
  | 'addComment'
  | 'anonymous'
  | 'moderationNote'
  | 'backToList'
  | 'skipToContent'
  | 'language'
  | 'mainNavigation'
  | 'footer'
  | 'notFound'
  | 'error'
  | 'moderation'
  | 'moderatorToken'
  | 'signIn'
  | 'wrongToken'
  | 'save'
  | 'note'
  | 'moderationHelp'
  | 'status.submitted'
  | 'status.accepted'
  | 'status.rejected'
  | 'status.done';

export const SHIPPED_LANGUAGES = ['pt', 'en', 'es', 'el'];

export const MESSAGES: Messages<MessageKey> = {
  pt: {
    checkForm: 'Verifique os dados do formulário.',
    checkField: 'Verifique o campo «{field}».',
    moderation: 'Moderação',
    moderatorToken: 'Chave de moderação',
    signIn: 'Entrar',
    wrongToken: 'Chave de moderação errada.',
    save: 'Guardar',
    note: 'Nota (pública)',
    moderationHelp: 'Todas as ideias, incluindo as rejeitadas. A chave está no ficheiro admin-token do serviço.',
    siteName: 'Participa',
    ideas: 'Ideias para a cidade',
    propose: 'Propor uma ideia',
    filter: 'Filtrar',
    status: 'Estado',
    parish: 'Freguesia',
    any: 'Todas',
    votes: '{count} votos',
    votesOne: '1 voto',
    ideaCountOne: '1 ideia',
    proposer: 'Autoria',
    vote: 'Votar',
    voted: 'Obrigado! O seu voto foi registado.',
    alreadyVoted: 'Já votou nesta ideia.',
    votingClosed: 'A votação está fechada para esta ideia.',
    voterNotIssued:
      'O seu navegador enviou uma identificação de votante que este site não emitiu, por isso o voto não contou. Volte à ideia e vote de novo.',
    tooManyVoters:
      'Votaram hoje demasiadas pessoas novas a partir da sua rede. Tente amanhã, ou vote a partir de outra ligação.',
    noIdeas: 'Ainda não há ideias com estes critérios.',
    ideaCount: '{count} ideias, ordenadas por votos',
    title: 'Título',
    description: 'Descrição',
    street: 'Rua ou local',
    lat: 'Latitude',
    lon: 'Longitude',
    locationHelp: 'Indique uma rua ou as coordenadas (latitude e longitude).',
    author: 'Nome (opcional)',
    authorHelp: 'Aparece publicamente junto à ideia.',
    submit: 'Enviar ideia',
    submitted: 'A sua ideia foi enviada e será analisada pela moderação.',
    location: 'Localização',
    comments: 'Comentários',
    noComments: 'Ainda sem comentários.',
    comment: 'Comentário',
    addComment: 'Comentar',
    anonymous: 'Anónimo',
    moderationNote: 'Nota da moderação',
    backToList: 'Voltar à lista de ideias',
    skipToContent: 'Saltar para o conteúdo',
    language: 'Idioma',
    mainNavigation: 'Navegação principal',
    footer: '{city} · Participa {version}',
    notFound: 'Página não encontrada.',
    error: 'Erro',
    'status.submitted': 'Submetida',
    'status.accepted': 'Aceite',
    'status.rejected': 'Rejeitada',
    'status.done': 'Concretizada',
  },
  es: {
    checkForm: 'Revise los datos del formulario.',
    checkField: 'Revise el campo «{field}».',
    moderation: 'Moderación',
    moderatorToken: 'Clave de moderación',
    signIn: 'Entrar',
    wrongToken: 'Clave de moderación incorrecta.',
    save: 'Guardar',
    note: 'Nota (pública)',
    moderationHelp: 'Todas las ideas, también las rechazadas. La clave está en el fichero admin-token del servicio.',
    siteName: 'Participa',
    ideas: 'Ideas para la ciudad',
    propose: 'Proponer una idea',
    filter: 'Filtrar',
    status: 'Estado',
    parish: 'Barrio',
    any: 'Todos',
    votes: '{count} votos',
    votesOne: '1 voto',
    ideaCountOne: '1 idea',
    proposer: 'Autoría',
    vote: 'Votar',
    voted: '¡Gracias! Su voto se ha registrado.',
    alreadyVoted: 'Ya votó esta idea.',
    votingClosed: 'La votación está cerrada para esta idea.',
    voterNotIssued:
      'Su navegador envió una identificación de votante que este sitio no emitió, así que el voto no contó. Vuelva a la idea y vote de nuevo.',
    tooManyVoters:
      'Hoy han votado demasiadas personas nuevas desde su red. Inténtelo mañana o vote desde otra conexión.',
    noIdeas: 'Aún no hay ideas con estos criterios.',
    ideaCount: '{count} ideas, ordenadas por votos',
    title: 'Título',
    description: 'Descripción',
    street: 'Calle o lugar',
    lat: 'Latitud',
    lon: 'Longitud',
    locationHelp: 'Indique una calle o las coordenadas (latitud y longitud).',
    author: 'Nombre (opcional)',
    authorHelp: 'Se muestra públicamente junto a la idea.',
    submit: 'Enviar idea',
    submitted: 'Su idea se ha enviado y la revisará la moderación.',
    location: 'Ubicación',
    comments: 'Comentarios',
    noComments: 'Aún no hay comentarios.',
    comment: 'Comentario',
    addComment: 'Comentar',
    anonymous: 'Anónimo',
    moderationNote: 'Nota de la moderación',
    backToList: 'Volver a la lista de ideas',
    skipToContent: 'Saltar al contenido',
    language: 'Idioma',
    mainNavigation: 'Navegación principal',
    footer: '{city} · Participa {version}',
    notFound: 'No se encontró la página.',
    error: 'Error',
    'status.submitted': 'Enviada',
    'status.accepted': 'Aceptada',
    'status.rejected': 'Rechazada',
    'status.done': 'Realizada',
  },
  el: {
    checkForm: 'Ελέγξτε τα στοιχεία της φόρμας.',
    checkField: 'Ελέγξτε το πεδίο «{field}».',
    moderation: 'Συντονισμός',
    moderatorToken: 'Κλειδί συντονιστή',
    signIn: 'Είσοδος',
    wrongToken: 'Λάθος κλειδί συντονιστή.',
    save: 'Αποθήκευση',
    note: 'Σημείωση (δημόσια)',
    moderationHelp:
      'Όλες οι ιδέες, μαζί με όσες απορρίφθηκαν. Το κλειδί βρίσκεται στο αρχείο admin-token της υπηρεσίας.',
    siteName: 'Participa',
    ideas: 'Ιδέες για την πόλη',
    propose: 'Προτείνετε μια ιδέα',
    filter: 'Φιλτράρισμα',
    status: 'Κατάσταση',
    parish: 'Γειτονιά',
    any: 'Όλες',
    votes: '{count} ψήφοι',
    votesOne: '1 ψήφος',
    ideaCountOne: '1 ιδέα',
    proposer: 'Πρόταση από',
    vote: 'Ψηφίστε',
    voted: 'Ευχαριστούμε! Η ψήφος σας καταχωρίστηκε.',
    alreadyVoted: 'Έχετε ήδη ψηφίσει αυτή την ιδέα.',
    votingClosed: 'Η ψηφοφορία για αυτή την ιδέα έχει κλείσει.',
    voterNotIssued:
      'Ο περιηγητής σας έστειλε αναγνωριστικό ψηφοφόρου που δεν εξέδωσε αυτός ο ιστότοπος, οπότε η ψήφος δεν μετρήθηκε. Επιστρέψτε στην ιδέα και ψηφίστε ξανά.',
    tooManyVoters:
      'Πάρα πολλοί νέοι ψηφοφόροι ψήφισαν σήμερα από το δίκτυό σας. Δοκιμάστε αύριο ή ψηφίστε από άλλη σύνδεση.',
    noIdeas: 'Δεν υπάρχουν ακόμη ιδέες με αυτά τα κριτήρια.',
    ideaCount: '{count} ιδέες, με σειρά ψήφων',
    title: 'Τίτλος',
    description: 'Περιγραφή',
    street: 'Οδός ή τοποθεσία',
    lat: 'Γεωγραφικό πλάτος',
    lon: 'Γεωγραφικό μήκος',
    locationHelp: 'Δώστε μια οδό ή τις συντεταγμένες (πλάτος και μήκος).',
    author: 'Όνομα (προαιρετικό)',
    authorHelp: 'Εμφανίζεται δημόσια μαζί με την ιδέα.',
    submit: 'Υποβολή ιδέας',
    submitted: 'Η ιδέα σας υποβλήθηκε και θα εξεταστεί από τους συντονιστές.',
    location: 'Τοποθεσία',
    comments: 'Σχόλια',
    noComments: 'Δεν υπάρχουν ακόμη σχόλια.',
    comment: 'Σχόλιο',
    addComment: 'Σχολιάστε',
    anonymous: 'Ανώνυμος',
    moderationNote: 'Σημείωση συντονισμού',
    backToList: 'Πίσω στη λίστα ιδεών',
    skipToContent: 'Μετάβαση στο περιεχόμενο',
    language: 'Γλώσσα',
    mainNavigation: 'Κύρια πλοήγηση',
    footer: '{city} · Participa {version}',
    notFound: 'Η σελίδα δεν βρέθηκε.',
    error: 'Σφάλμα',
    'status.submitted': 'Υποβλήθηκε',
    'status.accepted': 'Εγκρίθηκε',
    'status.rejected': 'Απορρίφθηκε',
    'status.done': 'Υλοποιήθηκε',
  },
  en: {
    checkForm: 'Please check the form.',
    checkField: 'Please check the field “{field}”.',
    moderation: 'Moderation',
    moderatorToken: 'Moderator key',
    signIn: 'Sign in',
    wrongToken: 'Wrong moderator key.',
    save: 'Save',
    note: 'Note (public)',
    moderationHelp: "Every idea, rejected ones included. The key is in the service's admin-token file.",
    siteName: 'Participa',
    ideas: 'Ideas for the city',
    propose: 'Propose an idea',
    filter: 'Filter',
    status: 'Status',
    parish: 'Parish',
    any: 'All',
    votes: '{count} votes',
    votesOne: '1 vote',
    ideaCountOne: '1 idea',
    proposer: 'Proposed by',
    vote: 'Vote',
    voted: 'Thank you! Your vote was counted.',
    alreadyVoted: 'You already voted for this idea.',
    votingClosed: 'Voting is closed for this idea.',
    voterNotIssued:
      'Your browser sent a voter id this site did not issue, so the vote did not count. Go back to the idea and vote again.',
    tooManyVoters:
      'Too many new voters voted from your network today. Try again tomorrow, or vote from another connection.',
    noIdeas: 'No ideas match yet.',
    ideaCount: '{count} ideas, most voted first',
    title: 'Title',
    description: 'Description',
    street: 'Street or place',
    lat: 'Latitude',
    lon: 'Longitude',
    locationHelp: 'Give a street or the coordinates (latitude and longitude).',
    author: 'Name (optional)',
    authorHelp: 'Shown publicly with the idea.',
    submit: 'Submit idea',
    submitted: 'Your idea was submitted and will be reviewed by the moderators.',
    location: 'Location',
    comments: 'Comments',
    noComments: 'No comments yet.',
    comment: 'Comment',
    addComment: 'Add comment',
    anonymous: 'Anonymous',
    moderationNote: "Moderators' note",
    backToList: 'Back to the list of ideas',
    skipToContent: 'Skip to content',
    language: 'Language',
    mainNavigation: 'Main navigation',
    footer: '{city} · Participa {version}',
    notFound: 'Page not found.',
    error: 'Error',
    'status.submitted': 'Submitted',
    'status.accepted': 'Accepted',
    'status.rejected': 'Rejected',
    'status.done': 'Done',
  },
};
