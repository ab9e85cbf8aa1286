/** Interface text in the languages this template ships (template.yaml `languages`). */
import type { Messages } from '../../_runtime/i18n';

export type MessageKey =
  | 'legal.personalData'
  | 'legal.retention'
  | 'legal.nonAccessible'
  | 'mine'
  | 'mineHelp'
  | 'myIdeas'
  | 'myVotes'
  | 'noneYet'
  | 'deleteIdea'
  | 'deleteVote'
  | 'ideaDeleted'
  | 'voteDeleted'
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
    'legal.personalData':
      'As ideias e os comentários que escreve são publicados, com o nome que escolher indicar (é opcional). Para contar um voto por pessoa e para que possa ver e apagar as suas ideias e votos, o seu navegador guarda um identificador de votante aleatório; o sítio guarda apenas um resumo criptográfico dele, nunca quem é. O fundamento jurídico é a missão de interesse público do município de envolver os cidadãos (RGPD, art. 6.º, n.º 1, alínea e)).',
    'legal.retention':
      'As ideias, os comentários e os votos são guardados enquanto o município mantiver este processo de participação. Pode apagar as suas ideias e votos a qualquer momento em «As minhas ideias e votos».',
    'legal.nonAccessible':
      'As ideias e os comentários são escritos pelos cidadãos e mostrados tal como os escreveram; o sítio não verifica a sua redação.',
    mine: 'As minhas ideias e votos',
    mineHelp:
      'O que este navegador propôs e votou. Apagar uma ideia remove-a com os seus comentários; apagar um voto retira-o da contagem.',
    myIdeas: 'Ideias que propus',
    myVotes: 'Ideias em que votei',
    noneYet: 'Nenhuma.',
    deleteIdea: 'Apagar a ideia «{title}»',
    deleteVote: 'Apagar o meu voto em «{title}»',
    ideaDeleted: 'A sua ideia foi apagada.',
    voteDeleted: 'O seu voto foi apagado.',
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
    'legal.personalData':
      'Las ideas y los comentarios que escribe se publican, con el nombre que decida indicar (es opcional). Para contar un voto por persona y para que pueda ver y borrar sus propias ideas y votos, su navegador guarda un identificador de votante aleatorio; el sitio solo guarda un resumen criptográfico de él, nunca quién es usted. La base jurídica es la misión de interés público del municipio de implicar a la ciudadanía (RGPD, art. 6.1.e).',
    'legal.retention':
      'Las ideas, los comentarios y los votos se conservan mientras el municipio mantenga este proceso de participación. Puede borrar sus propias ideas y votos en cualquier momento en «Mis ideas y votos».',
    'legal.nonAccessible':
      'Las ideas y los comentarios los escriben los ciudadanos y se muestran tal como los escribieron; el sitio no revisa su redacción.',
    mine: 'Mis ideas y votos',
    mineHelp:
      'Lo que este navegador propuso y votó. Borrar una idea la elimina con sus comentarios; borrar un voto lo quita del recuento.',
    myIdeas: 'Ideas que propuse',
    myVotes: 'Ideas que voté',
    noneYet: 'Ninguna.',
    deleteIdea: 'Borrar la idea «{title}»',
    deleteVote: 'Borrar mi voto a «{title}»',
    ideaDeleted: 'Su idea se ha borrado.',
    voteDeleted: 'Su voto se ha borrado.',
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
    'legal.personalData':
      'Οι ιδέες και τα σχόλια που γράφετε δημοσιεύονται, με το όνομα που επιλέγετε να δώσετε (είναι προαιρετικό). Για να μετρά μία ψήφος ανά άτομο και για να βλέπετε και να διαγράφετε τις δικές σας ιδέες και ψήφους, ο φυλλομετρητής σας κρατά έναν τυχαίο κωδικό ψηφοφόρου· ο ιστότοπος αποθηκεύει μόνο ένα μη αναστρέψιμο αποτύπωμά του, ποτέ το ποιος είστε. Νομική βάση είναι η αποστολή δημόσιου συμφέροντος του δήμου να συμμετέχουν οι πολίτες (ΓΚΠΔ, άρθ. 6 παρ. 1 στ. ε).',
    'legal.retention':
      'Οι ιδέες, τα σχόλια και οι ψήφοι διατηρούνται όσο ο δήμος λειτουργεί αυτή τη διαδικασία συμμετοχής. Μπορείτε να διαγράψετε τις δικές σας ιδέες και ψήφους οποιαδήποτε στιγμή στη σελίδα «Οι ιδέες και οι ψήφοι μου».',
    'legal.nonAccessible':
      'Οι ιδέες και τα σχόλια γράφονται από πολίτες και εμφανίζονται όπως τα έγραψαν· ο ιστότοπος δεν ελέγχει τη διατύπωσή τους.',
    mine: 'Οι ιδέες και οι ψήφοι μου',
    mineHelp:
      'Ό,τι πρότεινε και ψήφισε αυτός ο φυλλομετρητής. Η διαγραφή μιας ιδέας την αφαιρεί μαζί με τα σχόλιά της· η διαγραφή μιας ψήφου την αφαιρεί από την καταμέτρηση.',
    myIdeas: 'Ιδέες που πρότεινα',
    myVotes: 'Ιδέες που ψήφισα',
    noneYet: 'Καμία.',
    deleteIdea: 'Διαγραφή της ιδέας «{title}»',
    deleteVote: 'Διαγραφή της ψήφου μου για «{title}»',
    ideaDeleted: 'Η ιδέα σας διαγράφηκε.',
    voteDeleted: 'Η ψήφος σας διαγράφηκε.',
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
    'legal.personalData':
      "Ideas and comments you write are published, with the name you choose to give (it is optional). To count one vote per person and to let you see and delete your own ideas and votes, your browser keeps a random voter id; the site stores only a one-way hash of it, never who you are. The legal basis is the city's public task of involving its citizens (GDPR Art. 6(1)(e)).",
    'legal.retention':
      'Ideas, comments and votes are kept for as long as the city runs this participation process. You can delete your own ideas and votes at any time on “My ideas and votes”.',
    'legal.nonAccessible':
      'Ideas and comments are written by citizens and shown as they wrote them; the site does not check their wording.',
    mine: 'My ideas and votes',
    mineHelp:
      'What this browser proposed and voted for. Deleting an idea removes it with its comments; deleting a vote takes it off the count.',
    myIdeas: 'Ideas I proposed',
    myVotes: 'Ideas I voted for',
    noneYet: 'None.',
    deleteIdea: 'Delete idea “{title}”',
    deleteVote: 'Delete my vote for “{title}”',
    ideaDeleted: 'Your idea was deleted.',
    voteDeleted: 'Your vote was deleted.',
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
