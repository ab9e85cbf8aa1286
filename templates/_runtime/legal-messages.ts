/**
 * Text of the accessibility statement (the model of Commission Implementing
 * Decision (EU) 2018/1523) and of the privacy notice (GDPR Art. 13), shared
 * by every pilot, in every language a pilot ships. The footer links use it too,
 * so every page of every site links both in the visitor's language.
 */

export type LegalKey =
  | 'accessibility'
  | 'privacy'
  | 'a11y.intro'
  | 'a11y.statusTitle'
  | 'a11y.status'
  | 'a11y.nonAccessibleTitle'
  | 'a11y.preparedTitle'
  | 'a11y.prepared'
  | 'a11y.feedbackTitle'
  | 'a11y.feedback'
  | 'a11y.enforcementTitle'
  | 'a11y.enforcement'
  | 'a11y.enforcementGeneric'
  | 'privacy.controllerTitle'
  | 'privacy.controller'
  | 'privacy.dpoTitle'
  | 'privacy.noDpo'
  | 'privacy.dataTitle'
  | 'privacy.retentionTitle'
  | 'privacy.partnersTitle'
  | 'privacy.partnersIntro'
  | 'privacy.noPartners'
  | 'privacy.cookiesTitle'
  | 'privacy.cookies'
  | 'privacy.cookieName'
  | 'privacy.cookiePurpose'
  | 'privacy.rightsTitle'
  | 'privacy.rights'
  | 'privacy.rightsGeneric'
  | 'privacy.noPersonalData'
  | 'contacts'
  | 'role.dpo'
  | 'role.service-owner'
  | 'role.security'
  | 'role.contact'
  | 'cookie.lang'
  | 'cookie.voter'
  | 'cookie.mod'
  | 'cookie.biz';

export const LEGAL_MESSAGES: Record<string, Record<LegalKey, string>> = {
  en: {
    accessibility: 'Accessibility statement',
    privacy: 'Privacy notice',
    'a11y.intro':
      '{city} is committed to making {site} accessible, in accordance with Directive (EU) 2016/2102 and the national law that transposes it. This statement applies to {site}.',
    'a11y.statusTitle': 'Compliance status',
    'a11y.status':
      'This website is fully compliant with EN 301 549 (WCAG 2.1 level AA), except for the content listed below.',
    'a11y.nonAccessibleTitle': 'Non-accessible content',
    'a11y.preparedTitle': 'Preparation of this statement',
    'a11y.prepared':
      'This statement was prepared on {date} by self-assessment: every page, state and language was checked with axe-core {engine} against the WCAG 2.0 and 2.1 level A and AA rules, and the main task of the site was carried out with the keyboard alone. The checks run again on every release.',
    'a11y.feedbackTitle': 'Feedback and contact details',
    'a11y.feedback':
      'If you find content you cannot use, need information in another format, or want to tell us about a problem, write to:',
    'a11y.enforcementTitle': 'Enforcement procedure',
    'a11y.enforcement':
      'If our answer does not satisfy you, you can complain to {body}, which enforces the directive in this country.',
    'a11y.enforcementGeneric':
      'If our answer does not satisfy you, you can complain to the national body that enforces the Web Accessibility Directive.',
    'privacy.controllerTitle': 'Who is responsible',
    'privacy.controller': '{city} is the controller of the personal data this site processes.',
    'privacy.dpoTitle': 'Data protection officer',
    'privacy.noDpo': 'Write to the city at the contact addresses below.',
    'privacy.dataTitle': 'What we process and why',
    'privacy.retentionTitle': 'How long we keep it',
    'privacy.partnersTitle': 'Who receives data',
    'privacy.partnersIntro': 'The city shares data from this deployment with these partners, for the purpose given:',
    'privacy.noPartners': 'Nobody outside the city.',
    'privacy.cookiesTitle': 'Cookies',
    'privacy.cookies':
      'This site sets only cookies that are strictly necessary for what you ask it to do. It has no analytics, advertising or content from other sites, and your browser loads nothing from any other site.',
    'privacy.cookieName': 'Cookie',
    'privacy.cookiePurpose': 'Purpose',
    'privacy.rightsTitle': 'Your rights',
    'privacy.rights':
      'You may ask for access to your data, its correction or erasure, restrict or object to its processing, and complain to the supervisory authority: {authority}.',
    'privacy.rightsGeneric':
      "You may ask for access to your data, its correction or erasure, restrict or object to its processing, and complain to your country's data protection authority.",
    'privacy.noPersonalData': 'This site asks for no personal data and keeps none about its visitors.',
    contacts: 'Contact',
    'role.dpo': 'Data protection officer',
    'role.service-owner': 'Service owner',
    'role.security': 'Security',
    'role.contact': 'Contact',
    'cookie.lang': 'Remembers the language you chose, until you close the browser.',
    'cookie.voter': 'Your random voter id, so each person votes once and can see and delete their own ideas and votes.',
    'cookie.mod': 'Keeps a moderator signed in for 8 hours.',
    'cookie.biz': "Keeps a business's inbox open in this browser.",
  },
  pt: {
    accessibility: 'Declaração de acessibilidade',
    privacy: 'Aviso de privacidade',
    'a11y.intro':
      'O {city} compromete-se a tornar {site} acessível, em conformidade com a Diretiva (UE) 2016/2102 e a lei nacional que a transpõe. Esta declaração aplica-se a {site}.',
    'a11y.statusTitle': 'Estado de conformidade',
    'a11y.status':
      'Este sítio web está plenamente conforme com a norma EN 301 549 (WCAG 2.1 nível AA), exceto quanto ao conteúdo indicado abaixo.',
    'a11y.nonAccessibleTitle': 'Conteúdo não acessível',
    'a11y.preparedTitle': 'Elaboração desta declaração',
    'a11y.prepared':
      'Esta declaração foi elaborada em {date} por autoavaliação: todas as páginas, estados e línguas foram verificados com o axe-core {engine} segundo as regras WCAG 2.0 e 2.1 de nível A e AA, e a tarefa principal do sítio foi feita apenas com o teclado. As verificações repetem-se a cada nova versão.',
    'a11y.feedbackTitle': 'Comentários e contactos',
    'a11y.feedback':
      'Se encontrar conteúdo que não consegue usar, precisar da informação noutro formato ou quiser comunicar um problema, escreva para:',
    'a11y.enforcementTitle': 'Procedimento de aplicação',
    'a11y.enforcement':
      'Se a nossa resposta não o satisfizer, pode apresentar queixa junto de {body}, a entidade que garante a aplicação da diretiva neste país.',
    'a11y.enforcementGeneric':
      'Se a nossa resposta não o satisfizer, pode apresentar queixa junto da entidade nacional que garante a aplicação da Diretiva de Acessibilidade da Web.',
    'privacy.controllerTitle': 'Quem é responsável',
    'privacy.controller': 'O {city} é o responsável pelo tratamento dos dados pessoais deste sítio.',
    'privacy.dpoTitle': 'Encarregado da proteção de dados',
    'privacy.noDpo': 'Escreva ao município para os contactos abaixo.',
    'privacy.dataTitle': 'Que dados tratamos e para quê',
    'privacy.retentionTitle': 'Durante quanto tempo os guardamos',
    'privacy.partnersTitle': 'Quem recebe dados',
    'privacy.partnersIntro': 'O município partilha dados deste serviço com estes parceiros, para o fim indicado:',
    'privacy.noPartners': 'Ninguém fora do município.',
    'privacy.cookiesTitle': 'Cookies',
    'privacy.cookies':
      'Este sítio usa apenas os cookies estritamente necessários para o que lhe pede. Não tem estatísticas de visitas, publicidade nem conteúdo de outros sítios, e o seu navegador não carrega nada de nenhum outro sítio.',
    'privacy.cookieName': 'Cookie',
    'privacy.cookiePurpose': 'Finalidade',
    'privacy.rightsTitle': 'Os seus direitos',
    'privacy.rights':
      'Pode pedir o acesso aos seus dados, a sua retificação ou apagamento, limitar ou opor-se ao seu tratamento e apresentar queixa à autoridade de controlo: {authority}.',
    'privacy.rightsGeneric':
      'Pode pedir o acesso aos seus dados, a sua retificação ou apagamento, limitar ou opor-se ao seu tratamento e apresentar queixa à autoridade de proteção de dados do seu país.',
    'privacy.noPersonalData': 'Este sítio não pede dados pessoais nem guarda nenhum sobre quem o visita.',
    contacts: 'Contactos',
    'role.dpo': 'Encarregado da proteção de dados',
    'role.service-owner': 'Responsável pelo serviço',
    'role.security': 'Segurança',
    'role.contact': 'Contacto',
    'cookie.lang': 'Lembra a língua que escolheu, até fechar o navegador.',
    'cookie.voter':
      'O seu identificador de votante, aleatório, para que cada pessoa vote uma vez e possa ver e apagar as suas ideias e votos.',
    'cookie.mod': 'Mantém a sessão de um moderador durante 8 horas.',
    'cookie.biz': 'Mantém aberta neste navegador a caixa de pedidos de uma empresa.',
  },
  es: {
    accessibility: 'Declaración de accesibilidad',
    privacy: 'Aviso de privacidad',
    'a11y.intro':
      '{city} se ha comprometido a hacer accesible {site}, de conformidad con la Directiva (UE) 2016/2102 y la ley nacional que la transpone. Esta declaración se aplica a {site}.',
    'a11y.statusTitle': 'Situación de cumplimiento',
    'a11y.status':
      'Este sitio web es plenamente conforme con la norma EN 301 549 (WCAG 2.1 nivel AA), salvo el contenido indicado a continuación.',
    'a11y.nonAccessibleTitle': 'Contenido no accesible',
    'a11y.preparedTitle': 'Preparación de esta declaración',
    'a11y.prepared':
      'Esta declaración se preparó el {date} mediante autoevaluación: todas las páginas, estados e idiomas se comprobaron con axe-core {engine} según las reglas WCAG 2.0 y 2.1 de nivel A y AA, y la tarea principal del sitio se realizó solo con el teclado. Las comprobaciones se repiten en cada versión.',
    'a11y.feedbackTitle': 'Observaciones y datos de contacto',
    'a11y.feedback':
      'Si encuentra contenido que no puede utilizar, necesita la información en otro formato o quiere comunicarnos un problema, escriba a:',
    'a11y.enforcementTitle': 'Procedimiento de aplicación',
    'a11y.enforcement':
      'Si nuestra respuesta no le satisface, puede presentar una reclamación ante {body}, que vela por la aplicación de la directiva en este país.',
    'a11y.enforcementGeneric':
      'Si nuestra respuesta no le satisface, puede presentar una reclamación ante el organismo nacional que vela por la aplicación de la Directiva de accesibilidad web.',
    'privacy.controllerTitle': 'Quién es responsable',
    'privacy.controller': '{city} es el responsable del tratamiento de los datos personales de este sitio.',
    'privacy.dpoTitle': 'Delegado de protección de datos',
    'privacy.noDpo': 'Escriba al ayuntamiento a las direcciones de contacto indicadas abajo.',
    'privacy.dataTitle': 'Qué datos tratamos y para qué',
    'privacy.retentionTitle': 'Cuánto tiempo los conservamos',
    'privacy.partnersTitle': 'Quién recibe datos',
    'privacy.partnersIntro': 'El ayuntamiento comparte datos de este servicio con estos socios, para el fin indicado:',
    'privacy.noPartners': 'Nadie fuera del ayuntamiento.',
    'privacy.cookiesTitle': 'Cookies',
    'privacy.cookies':
      'Este sitio solo usa las cookies estrictamente necesarias para lo que usted le pide. No tiene analítica, publicidad ni contenido de otros sitios, y su navegador no carga nada de ningún otro sitio.',
    'privacy.cookieName': 'Cookie',
    'privacy.cookiePurpose': 'Finalidad',
    'privacy.rightsTitle': 'Sus derechos',
    'privacy.rights':
      'Puede solicitar el acceso a sus datos, su rectificación o supresión, limitar u oponerse a su tratamiento, y reclamar ante la autoridad de control: {authority}.',
    'privacy.rightsGeneric':
      'Puede solicitar el acceso a sus datos, su rectificación o supresión, limitar u oponerse a su tratamiento, y reclamar ante la autoridad de protección de datos de su país.',
    'privacy.noPersonalData': 'Este sitio no pide datos personales ni guarda ninguno sobre quien lo visita.',
    contacts: 'Contacto',
    'role.dpo': 'Delegado de protección de datos',
    'role.service-owner': 'Responsable del servicio',
    'role.security': 'Seguridad',
    'role.contact': 'Contacto',
    'cookie.lang': 'Recuerda el idioma que eligió, hasta que cierre el navegador.',
    'cookie.voter':
      'Su identificador de votante, aleatorio, para que cada persona vote una vez y pueda ver y borrar sus propias ideas y votos.',
    'cookie.mod': 'Mantiene la sesión de un moderador durante 8 horas.',
    'cookie.biz': 'Mantiene abierta en este navegador la bandeja de solicitudes de una empresa.',
  },
  el: {
    accessibility: 'Δήλωση προσβασιμότητας',
    privacy: 'Ενημέρωση για την προστασία δεδομένων',
    'a11y.intro':
      'Ο φορέας {city} δεσμεύεται να καταστήσει προσβάσιμο τον ιστότοπο {site}, σύμφωνα με την Οδηγία (ΕΕ) 2016/2102 και τον εθνικό νόμο που την ενσωματώνει. Η δήλωση αυτή αφορά τον ιστότοπο {site}.',
    'a11y.statusTitle': 'Κατάσταση συμμόρφωσης',
    'a11y.status':
      'Ο ιστότοπος συμμορφώνεται πλήρως με το πρότυπο EN 301 549 (WCAG 2.1 επίπεδο AA), εκτός από το περιεχόμενο που αναφέρεται παρακάτω.',
    'a11y.nonAccessibleTitle': 'Μη προσβάσιμο περιεχόμενο',
    'a11y.preparedTitle': 'Κατάρτιση της δήλωσης',
    'a11y.prepared':
      'Η δήλωση καταρτίστηκε στις {date} με αυτοαξιολόγηση: κάθε σελίδα, κατάσταση και γλώσσα ελέγχθηκε με το axe-core {engine} με τους κανόνες WCAG 2.0 και 2.1 επιπέδου A και AA, και η κύρια εργασία του ιστοτόπου έγινε μόνο με το πληκτρολόγιο. Οι έλεγχοι επαναλαμβάνονται σε κάθε έκδοση.',
    'a11y.feedbackTitle': 'Σχόλια και στοιχεία επικοινωνίας',
    'a11y.feedback':
      'Αν βρείτε περιεχόμενο που δεν μπορείτε να χρησιμοποιήσετε, χρειάζεστε πληροφορίες σε άλλη μορφή ή θέλετε να μας αναφέρετε ένα πρόβλημα, γράψτε στο:',
    'a11y.enforcementTitle': 'Διαδικασία επιβολής',
    'a11y.enforcement':
      'Αν η απάντησή μας δεν σας ικανοποιεί, μπορείτε να υποβάλετε καταγγελία στον φορέα {body}, που επιβλέπει την εφαρμογή της οδηγίας στη χώρα.',
    'a11y.enforcementGeneric':
      'Αν η απάντησή μας δεν σας ικανοποιεί, μπορείτε να υποβάλετε καταγγελία στον εθνικό φορέα που επιβλέπει την εφαρμογή της Οδηγίας για την προσβασιμότητα των ιστοτόπων.',
    'privacy.controllerTitle': 'Ποιος είναι υπεύθυνος',
    'privacy.controller': 'Υπεύθυνος επεξεργασίας των προσωπικών δεδομένων του ιστοτόπου είναι ο φορέας {city}.',
    'privacy.dpoTitle': 'Υπεύθυνος προστασίας δεδομένων',
    'privacy.noDpo': 'Γράψτε στον δήμο στις διευθύνσεις επικοινωνίας παρακάτω.',
    'privacy.dataTitle': 'Ποια δεδομένα επεξεργαζόμαστε και γιατί',
    'privacy.retentionTitle': 'Για πόσο τα κρατάμε',
    'privacy.partnersTitle': 'Ποιος λαμβάνει δεδομένα',
    'privacy.partnersIntro':
      'Ο δήμος μοιράζεται δεδομένα της υπηρεσίας με τους εξής συνεργάτες, για τον σκοπό που αναφέρεται:',
    'privacy.noPartners': 'Κανείς εκτός του δήμου.',
    'privacy.cookiesTitle': 'Cookies',
    'privacy.cookies':
      'Ο ιστότοπος χρησιμοποιεί μόνο cookies απολύτως απαραίτητα για ό,τι του ζητάτε. Δεν έχει στατιστικά επισκεψιμότητας, διαφημίσεις ή περιεχόμενο άλλων ιστοτόπων, και ο φυλλομετρητής σας δεν φορτώνει τίποτα από άλλον ιστότοπο.',
    'privacy.cookieName': 'Cookie',
    'privacy.cookiePurpose': 'Σκοπός',
    'privacy.rightsTitle': 'Τα δικαιώματά σας',
    'privacy.rights':
      'Μπορείτε να ζητήσετε πρόσβαση στα δεδομένα σας, διόρθωση ή διαγραφή τους, περιορισμό ή εναντίωση στην επεξεργασία τους, και να υποβάλετε καταγγελία στην εποπτική αρχή: {authority}.',
    'privacy.rightsGeneric':
      'Μπορείτε να ζητήσετε πρόσβαση στα δεδομένα σας, διόρθωση ή διαγραφή τους, περιορισμό ή εναντίωση στην επεξεργασία τους, και να υποβάλετε καταγγελία στην αρχή προστασίας δεδομένων της χώρας σας.',
    'privacy.noPersonalData': 'Ο ιστότοπος δεν ζητά προσωπικά δεδομένα και δεν κρατά κανένα για τους επισκέπτες του.',
    contacts: 'Επικοινωνία',
    'role.dpo': 'Υπεύθυνος προστασίας δεδομένων',
    'role.service-owner': 'Υπεύθυνος υπηρεσίας',
    'role.security': 'Ασφάλεια',
    'role.contact': 'Επικοινωνία',
    'cookie.lang': 'Θυμάται τη γλώσσα που επιλέξατε, μέχρι να κλείσετε τον φυλλομετρητή.',
    'cookie.voter':
      'Ο τυχαίος κωδικός ψηφοφόρου σας, ώστε κάθε άτομο να ψηφίζει μία φορά και να βλέπει και να διαγράφει τις δικές του ιδέες και ψήφους.',
    'cookie.mod': 'Κρατά συνδεδεμένο έναν συντονιστή για 8 ώρες.',
    'cookie.biz': 'Κρατά ανοιχτά τα εισερχόμενα μιας επιχείρησης σε αυτόν τον φυλλομετρητή.',
  },
};

/** The body that enforces Directive (EU) 2016/2102, by country, where storm knows it. */
export const ACCESSIBILITY_ENFORCEMENT: Record<string, { name: string; url: string }> = {
  PT: { name: 'Agência para a Modernização Administrativa (AMA)', url: 'https://www.acessibilidade.gov.pt/' },
};

/** The GDPR supervisory authority, by country. */
export const SUPERVISORY_AUTHORITY: Record<string, { name: string; url: string }> = {
  PT: { name: 'Comissão Nacional de Proteção de Dados (CNPD)', url: 'https://www.cnpd.pt/' },
  ES: { name: 'Agencia Española de Protección de Datos (AEPD)', url: 'https://www.aepd.es/' },
  GR: { name: 'Αρχή Προστασίας Δεδομένων Προσωπικού Χαρακτήρα', url: 'https://www.dpa.gr/' },
};
