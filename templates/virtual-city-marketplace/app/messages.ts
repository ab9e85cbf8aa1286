/** Interface text in the languages this template ships (template.yaml `languages`). */
import type { Messages } from '../../_runtime/i18n';

export type MessageKey =
  | 'legal.personalData'
  | 'legal.retention'
  | 'legal.nonAccessible'
  | 'checkForm'
  | 'checkField'
  | 'siteName'
  | 'browse'
  | 'publish'
  | 'search'
  | 'category'
  | 'area'
  | 'any'
  | 'keywords'
  | 'resultCount'
  | 'resultCountOne'
  | 'noResults'
  | 'price'
  | 'onRequest'
  | 'business'
  | 'title'
  | 'description'
  | 'contactEmail'
  | 'contactEmailHelp'
  | 'publishButton'
  | 'published'
  | 'keyWarning'
  | 'yourKey'
  | 'openInbox'
  | 'sendRequest'
  | 'yourName'
  | 'yourEmail'
  | 'message'
  | 'send'
  | 'requestSent'
  | 'privacy'
  | 'inbox'
  | 'inboxLogin'
  | 'businessKey'
  | 'open'
  | 'noRequests'
  | 'answer'
  | 'answerButton'
  | 'answered'
  | 'wrongKey'
  | 'followUp'
  | 'followUpHelp'
  | 'yourRequest'
  | 'notAnswered'
  | 'backToList'
  | 'skipToContent'
  | 'language'
  | 'mainNavigation'
  | 'footer'
  | 'notFound'
  | 'error'
  | 'receivedOn';

export const SHIPPED_LANGUAGES = ['el', 'en', 'es', 'pt'];

export const MESSAGES: Messages<MessageKey> = {
  el: {
    'legal.personalData':
      'Οι επιχειρήσεις δημοσιεύουν μια καταχώριση με email επικοινωνίας. Όταν στέλνετε αίτημα, το όνομα, το email και το μήνυμά σας φτάνουν στην επιχείρηση στην οποία γράφετε, η οποία απαντά στη σελίδα παρακολούθησης· ο ιστότοπος κρατά μόνο ένα μη αναστρέψιμο αποτύπωμα του συνδέσμου παρακολούθησης και του κλειδιού της επιχείρησης. Νομική βάση είναι το αίτημά σας (ΓΚΠΔ, άρθ. 6 παρ. 1 στ. β).',
    'legal.retention':
      'Τα αιτήματα και οι απαντήσεις διαγράφονται αυτόματα {days} ημέρες μετά την αποστολή τους. Οι καταχωρίσεις μένουν μέχρι να τις αφαιρέσει η επιχείρηση ή ο δήμος.',
    'legal.nonAccessible':
      'Οι καταχωρίσεις γράφονται από τις επιχειρήσεις και εμφανίζονται όπως τις έγραψαν· ο ιστότοπος δεν ελέγχει τη διατύπωσή τους.',
    checkForm: 'Ελέγξτε τα στοιχεία της φόρμας.',
    checkField: 'Ελέγξτε το πεδίο «{field}».',
    siteName: 'Εικονική Αγορά της Πόλης',
    browse: 'Υπηρεσίες',
    publish: 'Καταχώριση υπηρεσίας',
    search: 'Αναζήτηση',
    category: 'Κατηγορία',
    area: 'Περιοχή',
    any: 'Όλες',
    keywords: 'Λέξεις-κλειδιά',
    resultCount: '{count} υπηρεσίες',
    resultCountOne: '1 υπηρεσία',
    noResults: 'Καμία υπηρεσία δεν ταιριάζει με την αναζήτηση.',
    price: 'Τιμή',
    onRequest: 'Κατόπιν αιτήματος',
    business: 'Επιχείρηση',
    title: 'Τίτλος υπηρεσίας',
    description: 'Περιγραφή',
    contactEmail: 'Email επιχείρησης',
    contactEmailHelp: 'Δεν δημοσιεύεται· το χρησιμοποιούμε μόνο για να σας ειδοποιήσουμε.',
    publishButton: 'Δημοσίευση',
    published: 'Η υπηρεσία σας δημοσιεύτηκε.',
    keyWarning:
      'Φυλάξτε αυτό το κλειδί: είναι ο μόνος τρόπος να δείτε και να απαντήσετε στα αιτήματα. Δεν θα εμφανιστεί ξανά.',
    yourKey: 'Κλειδί επιχείρησης',
    openInbox: 'Άνοιγμα εισερχομένων',
    sendRequest: 'Αποστολή αιτήματος',
    yourName: 'Το όνομά σας',
    yourEmail: 'Το email σας',
    message: 'Μήνυμα',
    send: 'Αποστολή',
    requestSent: 'Το αίτημά σας στάλθηκε στην επιχείρηση.',
    privacy: 'Το όνομα και το email σας τα βλέπει μόνο αυτή η επιχείρηση και διαγράφονται μετά από {days} ημέρες.',
    inbox: 'Εισερχόμενα αιτήματα',
    inboxLogin: 'Εισάγετε το κλειδί της επιχείρησης για να δείτε τα αιτήματα.',
    businessKey: 'Κλειδί επιχείρησης',
    open: 'Άνοιγμα',
    noRequests: 'Δεν υπάρχουν αιτήματα ακόμη.',
    answer: 'Απάντηση',
    answerButton: 'Αποστολή απάντησης',
    answered: 'Απαντήθηκε',
    followUp: 'Δείτε την απάντηση εδώ',
    followUpHelp: 'Κρατήστε αυτόν τον σύνδεσμο: μόνο με αυτόν θα δείτε την απάντηση της επιχείρησης.',
    yourRequest: 'Το αίτημά σας',
    notAnswered: 'Η επιχείρηση δεν έχει απαντήσει ακόμη.',
    wrongKey: 'Λάθος κλειδί επιχείρησης.',
    backToList: 'Πίσω στις υπηρεσίες',
    skipToContent: 'Μετάβαση στο περιεχόμενο',
    language: 'Γλώσσα',
    mainNavigation: 'Κύρια πλοήγηση',
    footer: '{city} · Εικονική Αγορά της Πόλης {version}',
    notFound: 'Η σελίδα δεν βρέθηκε.',
    error: 'Σφάλμα',
    receivedOn: 'Ελήφθη',
  },
  es: {
    'legal.personalData':
      'Las empresas publican un anuncio con un correo de contacto. Cuando envía una solicitud, su nombre, correo y mensaje llegan a la empresa a la que escribe, que responde en la página de seguimiento; el sitio solo guarda un resumen criptográfico del enlace de seguimiento y de la clave de la empresa. La base jurídica es su solicitud (RGPD, art. 6.1.b).',
    'legal.retention':
      'Las solicitudes y sus respuestas se borran automáticamente {days} días después de enviarse. Los anuncios permanecen hasta que la empresa o el municipio los retiran.',
    'legal.nonAccessible':
      'Los anuncios los escriben las empresas y se muestran tal como los escribieron; el sitio no revisa su redacción.',
    checkForm: 'Revise los datos del formulario.',
    checkField: 'Revise el campo «{field}».',
    siteName: 'Mercado Virtual de la Ciudad',
    browse: 'Servicios',
    publish: 'Publicar un servicio',
    search: 'Buscar',
    category: 'Categoría',
    area: 'Zona',
    any: 'Todas',
    keywords: 'Palabras clave',
    resultCount: '{count} servicios',
    resultCountOne: '1 servicio',
    noResults: 'Ningún servicio coincide con la búsqueda.',
    price: 'Precio',
    onRequest: 'A consultar',
    business: 'Empresa',
    title: 'Título del servicio',
    description: 'Descripción',
    contactEmail: 'Correo de la empresa',
    contactEmailHelp: 'No se publica; solo sirve para avisarle de nuevas solicitudes.',
    publishButton: 'Publicar',
    published: 'Su servicio está publicado.',
    keyWarning: 'Guarde esta clave: es la única forma de ver y responder sus solicitudes. No se volverá a mostrar.',
    yourKey: 'Clave de empresa',
    openInbox: 'Abrir bandeja de entrada',
    sendRequest: 'Enviar una solicitud',
    yourName: 'Su nombre',
    yourEmail: 'Su correo',
    message: 'Mensaje',
    send: 'Enviar',
    requestSent: 'Su solicitud se ha enviado a la empresa.',
    privacy: 'Solo esta empresa ve su nombre y su correo; se borran a los {days} días.',
    inbox: 'Solicitudes recibidas',
    inboxLogin: 'Introduzca la clave de la empresa para ver las solicitudes.',
    businessKey: 'Clave de empresa',
    open: 'Abrir',
    noRequests: 'Aún no hay solicitudes.',
    answer: 'Respuesta',
    answerButton: 'Enviar respuesta',
    answered: 'Respondida',
    followUp: 'Vea la respuesta aquí',
    followUpHelp: 'Guarde este enlace: solo con él verá la respuesta de la empresa.',
    yourRequest: 'Su solicitud',
    notAnswered: 'La empresa aún no ha respondido.',
    wrongKey: 'Clave de empresa incorrecta.',
    backToList: 'Volver a los servicios',
    skipToContent: 'Saltar al contenido',
    language: 'Idioma',
    mainNavigation: 'Navegación principal',
    footer: '{city} · Mercado Virtual de la Ciudad {version}',
    notFound: 'No se encontró la página.',
    error: 'Error',
    receivedOn: 'Recibida',
  },
  pt: {
    'legal.personalData':
      'As empresas publicam um anúncio com um endereço de email de contacto. Quando envia um pedido, o seu nome, email e mensagem chegam à empresa a quem escreve, que responde na página de acompanhamento; o sítio guarda apenas um resumo criptográfico do link de acompanhamento e da chave da empresa. O fundamento jurídico é o seu pedido (RGPD, art. 6.º, n.º 1, alínea b)).',
    'legal.retention':
      'Os pedidos e as respostas são apagados automaticamente {days} dias depois de enviados. Os anúncios ficam até a empresa ou o município os retirar.',
    'legal.nonAccessible':
      'Os anúncios são escritos pelas empresas e mostrados tal como os escreveram; o sítio não verifica a sua redação.',
    checkForm: 'Verifique os dados do formulário.',
    checkField: 'Verifique o campo «{field}».',
    siteName: 'Mercado Virtual da Cidade',
    browse: 'Serviços',
    publish: 'Publicar um serviço',
    search: 'Pesquisar',
    category: 'Categoria',
    area: 'Zona',
    any: 'Todas',
    keywords: 'Palavras-chave',
    resultCount: '{count} serviços',
    resultCountOne: '1 serviço',
    noResults: 'Nenhum serviço corresponde à pesquisa.',
    price: 'Preço',
    onRequest: 'Sob consulta',
    business: 'Empresa',
    title: 'Título do serviço',
    description: 'Descrição',
    contactEmail: 'Email da empresa',
    contactEmailHelp: 'Não é publicado; serve apenas para o avisar de novos pedidos.',
    publishButton: 'Publicar',
    published: 'O seu serviço foi publicado.',
    keyWarning: 'Guarde esta chave: é a única forma de ver e responder aos seus pedidos. Não voltará a ser mostrada.',
    yourKey: 'Chave da empresa',
    openInbox: 'Abrir caixa de entrada',
    sendRequest: 'Enviar um pedido',
    yourName: 'O seu nome',
    yourEmail: 'O seu email',
    message: 'Mensagem',
    send: 'Enviar',
    requestSent: 'O seu pedido foi enviado à empresa.',
    privacy: 'Só esta empresa vê o seu nome e email; são apagados ao fim de {days} dias.',
    inbox: 'Pedidos recebidos',
    inboxLogin: 'Introduza a chave da empresa para ver os pedidos.',
    businessKey: 'Chave da empresa',
    open: 'Abrir',
    noRequests: 'Ainda não há pedidos.',
    answer: 'Resposta',
    answerButton: 'Enviar resposta',
    answered: 'Respondido',
    followUp: 'Veja a resposta aqui',
    followUpHelp: 'Guarde esta ligação: só com ela verá a resposta da empresa.',
    yourRequest: 'O seu pedido',
    notAnswered: 'A empresa ainda não respondeu.',
    wrongKey: 'Chave da empresa errada.',
    backToList: 'Voltar aos serviços',
    skipToContent: 'Saltar para o conteúdo',
    language: 'Idioma',
    mainNavigation: 'Navegação principal',
    footer: '{city} · Mercado Virtual da Cidade {version}',
    notFound: 'Página não encontrada.',
    error: 'Erro',
    receivedOn: 'Recebido',
  },
  en: {
    'legal.personalData':
      'Businesses publish a listing with a contact email address. When you send a request, your name, email address and message go to the business you write to, which answers on the follow-up page; the site keeps only a hash of the follow-up link and of the business key. The legal basis is your request (GDPR Art. 6(1)(b)).',
    'legal.retention':
      'Requests and their answers are deleted automatically {days} days after they were sent. Listings stay until the business or the city removes them.',
    'legal.nonAccessible':
      'Listings are written by businesses and shown as they wrote them; the site does not check their wording.',
    checkForm: 'Please check the form.',
    checkField: 'Please check the field “{field}”.',
    siteName: 'Virtual City Marketplace',
    browse: 'Services',
    publish: 'List a service',
    search: 'Search',
    category: 'Category',
    area: 'Area',
    any: 'All',
    keywords: 'Keywords',
    resultCount: '{count} services',
    resultCountOne: '1 service',
    noResults: 'No service matches the search.',
    price: 'Price',
    onRequest: 'On request',
    business: 'Business',
    title: 'Service title',
    description: 'Description',
    contactEmail: 'Business email',
    contactEmailHelp: 'Not published; only used to tell you about new requests.',
    publishButton: 'Publish',
    published: 'Your service is published.',
    keyWarning: 'Keep this key: it is the only way to see and answer your requests. It will not be shown again.',
    yourKey: 'Business key',
    openInbox: 'Open inbox',
    sendRequest: 'Send a request',
    yourName: 'Your name',
    yourEmail: 'Your email',
    message: 'Message',
    send: 'Send',
    requestSent: 'Your request was sent to the business.',
    privacy: 'Only this business sees your name and email; they are deleted after {days} days.',
    inbox: 'Incoming requests',
    inboxLogin: 'Enter the business key to see the requests.',
    businessKey: 'Business key',
    open: 'Open',
    noRequests: 'No requests yet.',
    answer: 'Answer',
    answerButton: 'Send answer',
    answered: 'Answered',
    followUp: 'See the answer here',
    followUpHelp: "Keep this link: it is the only way to see the business's answer.",
    yourRequest: 'Your request',
    notAnswered: 'The business has not answered yet.',
    wrongKey: 'Wrong business key.',
    backToList: 'Back to services',
    skipToContent: 'Skip to content',
    language: 'Language',
    mainNavigation: 'Main navigation',
    footer: '{city} · Virtual City Marketplace {version}',
    notFound: 'Page not found.',
    error: 'Error',
    receivedOn: 'Received',
  },
};

/** Names of the default categories; a city's own categories show as written. */
export const CATEGORY_NAMES: Record<string, Record<string, string>> = {
  el: {
    repairs: 'Επισκευές',
    food: 'Φαγητό',
    tourism: 'Τουρισμός',
    health: 'Υγεία',
    education: 'Εκπαίδευση',
    culture: 'Πολιτισμός',
    mobility: 'Μετακίνηση',
  },
  es: {
    repairs: 'Reparaciones',
    food: 'Alimentación',
    tourism: 'Turismo',
    health: 'Salud',
    education: 'Educación',
    culture: 'Cultura',
    mobility: 'Movilidad',
  },
  pt: {
    repairs: 'Reparações',
    food: 'Alimentação',
    tourism: 'Turismo',
    health: 'Saúde',
    education: 'Educação',
    culture: 'Cultura',
    mobility: 'Mobilidade',
  },
  en: {
    repairs: 'Repairs',
    food: 'Food',
    tourism: 'Tourism',
    health: 'Health',
    education: 'Education',
    culture: 'Culture',
    mobility: 'Mobility',
  },
};
