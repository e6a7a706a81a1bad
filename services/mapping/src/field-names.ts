/** The canonical lead fields a column can map to (docs/architecture.md section 3); anything else is `extra`. */
export const CANONICAL_FIELDS = [
  'first_name', 'last_name', 'full_name', 'email', 'phone', 'company', 'domain', 'job_title',
  'street', 'address_line2', 'city', 'state', 'postal_code', 'country', 'industry', 'source',
] as const;

export type CanonicalField = (typeof CANONICAL_FIELDS)[number];

/**
 * Header spellings by field, as suppliers write them, in several languages. Written in
 * plain words; they are normalized (lowercase, accents and punctuation removed) before use.
 */
export const FIELD_NAMES: Record<CanonicalField, readonly string[]> = {
  first_name: [
    'first name', 'first', 'fname', 'f name', 'given name', 'given', 'forename', 'firstname', 'first nm', 'christian name',
    'vorname', 'prénom', 'prenom', 'nombre', 'nome', 'voornaam', 'imię', 'fornavn', 'förnamn', 'etunimi',
  ],
  last_name: [
    'last name', 'last', 'lname', 'l name', 'surname', 'family name', 'lastname', 'last nm', 'sur name',
    'nachname', 'familienname', 'nom de famille', 'apellido', 'apellidos', 'cognome', 'sobrenome', 'achternaam',
    'nazwisko', 'efternavn', 'efternamn', 'sukunimi', 'nom',
  ],
  full_name: [
    'name', 'full name', 'fullname', 'contact name', 'contact', 'lead name', 'person', 'customer name', 'client name',
    'prospect name', 'display name', 'nom complet', 'nombre completo', 'nome completo', 'naam', 'vollständiger name',
  ],
  email: [
    'email', 'e mail', 'email address', 'e mail address', 'mail', 'email addr', 'emails', 'e mail adresse',
    'emailadresse', 'courriel', 'adresse email', 'adresse e mail', 'correo', 'correo electrónico', 'correo electronico',
    'indirizzo email', 'posta elettronica', 'endereço de email', 'e postadres', 'eml', 'mail address',
  ],
  phone: [
    'phone', 'phone number', 'phone no', 'phone num', 'telephone', 'telephone number', 'tel', 'tel no', 'tel nr', 'ph',
    'mobile', 'mobile phone', 'mobile number', 'mob', 'cell', 'cell phone', 'cellphone', 'cell number', 'contact number',
    'phone 1', 'primary phone', 'work phone', 'direct dial', 'direct phone', 'office phone', 'home phone',
    'telefon', 'telefonnummer', 'handy', 'mobilnummer', 'téléphone', 'telephone portable', 'portable', 'numéro de téléphone',
    'teléfono', 'telefono', 'móvil', 'movil', 'celular', 'cellulare', 'telefone', 'telefoon', 'telefoonnummer', 'gsm',
  ],
  company: [
    'company', 'company name', 'organization', 'organisation', 'org', 'employer', 'business', 'business name', 'account',
    'account name', 'firm', 'co', 'co name', 'corporation', 'firma', 'firmenname', 'unternehmen', 'société', 'societe',
    'entreprise', 'empresa', 'azienda', 'bedrijf', 'bedrijfsnaam', 'organisatie', 'compañía', 'compania',
  ],
  domain: [
    'domain', 'website', 'web site', 'web', 'url', 'company website', 'company domain', 'homepage', 'site', 'web address',
    'company url', 'site web', 'sitio web', 'pagina web', 'webseite', 'internetseite',
  ],
  job_title: [
    'job title', 'title', 'position', 'role', 'job', 'designation', 'job role', 'occupation', 'job position',
    'jobtitle', 'titel', 'position title', 'berufsbezeichnung', 'funktion', 'poste', 'fonction', 'cargo', 'puesto',
    'ruolo', 'functie', 'qualifica',
  ],
  street: [
    'street', 'address', 'street address', 'address 1', 'address line 1', 'street 1', 'addr', 'addr1', 'address1',
    'mailing address', 'street line 1', 'postal address', 'straße', 'strasse', 'anschrift', 'adresse', 'rue', 'dirección',
    'direccion', 'calle', 'indirizzo', 'via', 'endereço', 'endereco', 'rua', 'straat', 'adres', 'street name',
  ],
  address_line2: [
    'address 2', 'address line 2', 'street 2', 'addr2', 'address2', 'suite', 'apt', 'apartment', 'unit', 'suite apt',
    'adresszusatz', 'complément d adresse', 'complemento',
  ],
  city: [
    'city', 'town', 'locality', 'city town', 'suburb', 'municipality', 'stadt', 'ort', 'wohnort', 'ville', 'ciudad',
    'localidad', 'città', 'citta', 'cidade', 'plaats', 'woonplaats', 'miasto', 'by', 'stad', 'kaupunki',
  ],
  state: [
    'state', 'province', 'state province', 'region', 'st', 'prov', 'state code', 'state abbr', 'territory',
    'bundesland', 'région', 'provincia', 'estado', 'provincie', 'departement',
  ],
  postal_code: [
    'zip', 'zip code', 'zipcode', 'postal code', 'postcode', 'post code', 'postal', 'zip5', 'zip 5', 'zip postal code',
    'postal zip', 'pc', 'plz', 'postleitzahl', 'postnummer', 'postinumero', 'code postal', 'cp', 'código postal', 'codigo postal', 'cap', 'cep',
  ],
  country: [
    'country', 'country code', 'country name', 'nation', 'ctry', 'cntry', 'land', 'pays', 'país', 'pais', 'paese',
  ],
  industry: ['industry', 'sector', 'vertical', 'industry type', 'branche', 'secteur', 'industria', 'sector industrial'],
  source: ['source', 'lead source', 'origin', 'channel', 'campaign', 'utm source', 'quelle', 'origen', 'fonte'],
};
