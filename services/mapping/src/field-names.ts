/** The canonical lead fields a column can map to (docs/architecture.md section 3); anything else is `extra`. */
export const CANONICAL_FIELDS = [
  'first_name', 'last_name', 'full_name', 'email', 'phone', 'company', 'domain', 'job_title',
  'street', 'address_line2', 'city', 'state', 'postal_code', 'country', 'industry', 'source',
  // A file's consent columns (docs/dnc-lists.md, "Exemptions"): consent for the row's phones.
  'consent_date', 'consent_certificate_url',
] as const;

export type CanonicalField = (typeof CANONICAL_FIELDS)[number];

/**
 * Header spellings by field, as suppliers and the CRMs, lead-ad forms and data vendors they
 * export from write them: English, German, French, Spanish, Italian, Portuguese, Dutch, Polish,
 * the Nordic languages, Japanese, Chinese and Korean. Written in plain words; they are
 * normalized (foldHeader: lowercase, accents and punctuation removed) before use.
 */
export const FIELD_NAMES: Record<CanonicalField, readonly string[]> = {
  first_name: [
    'first name', 'first', 'fname', 'f name', 'given name', 'given', 'forename', 'firstname', 'first nm',
    'christian name', 'vorname', 'prénom', 'prenom', 'nombre', 'nome', 'voornaam', 'imię', 'fornavn', 'förnamn',
    'etunimi', '名', '下の名前', 'ファーストネーム', 'imie', 'primeiro nome', 'nome proprio',
  ],
  last_name: [
    'last name', 'last', 'lname', 'l name', 'surname', 'family name', 'lastname', 'last nm', 'sur name', 'nachname',
    'familienname', 'nom de famille', 'apellido', 'apellidos', 'cognome', 'sobrenome', 'achternaam', 'nazwisko',
    'efternavn', 'efternamn', 'sukunimi', 'nom', '姓', '苗字', '名字', '姓氏', '성', '성씨', 'apellido paterno',
    'ultimo nome', 'último nome',
  ],
  full_name: [
    'name', 'full name', 'fullname', 'contact name', 'contact', 'lead name', 'person', 'customer name', 'client name',
    'prospect name', 'display name', 'nom complet', 'nombre completo', 'nome completo', 'naam', 'vollständiger name',
    '氏名', '名前', 'お名前', '姓名', '联系人', '联系人姓名', '客户姓名', '이름', '성명', 'imię i nazwisko', 'ansprechpartner',
    'kontaktperson', 'contactpersoon', 'nombre y apellidos', 'nom et prénom',
  ],
  email: [
    'email', 'e mail', 'email address', 'e mail address', 'mail', 'email addr', 'emails', 'e mail adresse',
    'emailadresse', 'courriel', 'adresse email', 'adresse e mail', 'correo', 'correo electrónico',
    'correo electronico', 'indirizzo email', 'posta elettronica', 'endereço de email', 'e postadres', 'eml',
    'mail address', 'メール', 'メールアドレス', 'eメール', 'e-mailアドレス', '電子メール', '邮箱', '电子邮件', '电子邮箱', '邮件', '邮箱地址', '이메일',
    '이메일 주소', '전자우편', 'adres e-mail', 'correio eletrônico', 'indirizzo e-mail',
  ],
  phone: [
    'phone', 'phone number', 'phone no', 'phone num', 'telephone', 'telephone number', 'tel', 'tel no', 'tel nr',
    'ph', 'mobile', 'mobile phone', 'mobile number', 'mob', 'cell', 'cell phone', 'cellphone', 'cell number',
    'contact number', 'phone 1', 'primary phone', 'work phone', 'direct dial', 'direct phone', 'office phone',
    'home phone', 'telefon', 'telefonnummer', 'handy', 'mobilnummer', 'téléphone', 'telephone portable', 'portable',
    'numéro de téléphone', 'teléfono', 'telefono', 'móvil', 'movil', 'celular', 'cellulare', 'telefone', 'telefoon',
    'telefoonnummer', 'gsm', '電話', '電話番号', 'tel番号', '携帯', '携帯電話', '携帯番号', '电话', '电话号码', '联系电话', '手机', '手机号', '手机号码',
    '移动电话', '전화', '전화번호', '휴대폰', '휴대전화', '휴대폰 번호', 'numer telefonu', 'telefon komórkowy', 'numero di telefono',
    'número de teléfono',
  ],
  company: [
    'company', 'company name', 'organization', 'organisation', 'org', 'employer', 'business', 'business name',
    'account', 'account name', 'firm', 'co', 'co name', 'corporation', 'firma', 'firmenname', 'unternehmen',
    'société', 'societe', 'entreprise', 'empresa', 'azienda', 'bedrijf', 'bedrijfsnaam', 'organisatie', 'compañía',
    'compania', '会社名', '会社', '企業名', '社名', '勤務先', '法人名', '公司', '公司名称', '企业名称', '企业', '单位', '单位名称', '회사', '회사명', '기업명',
    '소속 기업', '소속', 'nazwa firmy', 'name des unternehmens', 'unternehmensname', 'nome azienda', 'nom de l entreprise',
    'nombre de la empresa', 'nome da empresa', 'razão social',
  ],
  domain: [
    'domain', 'website', 'web site', 'web', 'url', 'company website', 'company domain', 'homepage', 'site',
    'web address', 'company url', 'site web', 'sitio web', 'pagina web', 'webseite', 'internetseite', 'ホームページ',
    'ウェブサイト', 'webサイト', '网站', '公司网站', '官网', '网址', '웹사이트', '홈페이지', 'strona www', 'strona internetowa',
  ],
  job_title: [
    'job title', 'title', 'position', 'role', 'job', 'designation', 'job role', 'occupation', 'job position',
    'jobtitle', 'titel', 'position title', 'berufsbezeichnung', 'funktion', 'poste', 'fonction', 'cargo', 'puesto',
    'ruolo', 'functie', 'qualifica', '役職', '役職名', '肩書', '肩書き', '職位', '职位', '职务', '头衔', '岗位', '직함', '직책', '직위', '포지션',
    '직급', 'stanowisko', 'intitulé du poste', 'functietitel',
  ],
  street: [
    'street', 'address', 'street address', 'address 1', 'address line 1', 'street 1', 'addr', 'addr1', 'address1',
    'mailing address', 'street line 1', 'postal address', 'straße', 'strasse', 'anschrift', 'adresse', 'rue',
    'dirección', 'direccion', 'calle', 'indirizzo', 'via', 'endereço', 'endereco', 'rua', 'straat', 'adres',
    'street name', '住所', '町名・番地', '番地', '町域・番地', '所在地', '住所1', '地址', '详细地址', '街道', '街道地址', '주소', '도로명 주소', 'ulica',
    'adresse postale', 'indirizzo postale',
  ],
  address_line2: [
    'address 2', 'address line 2', 'street 2', 'addr2', 'address2', 'suite', 'apt', 'apartment', 'unit', 'suite apt',
    'adresszusatz', 'complément d adresse', 'complemento', 'ビル名', '建物名', '住所2', '地址2', '주소2', 'adres 2',
  ],
  city: [
    'city', 'town', 'locality', 'city town', 'suburb', 'municipality', 'stadt', 'ort', 'wohnort', 'ville', 'ciudad',
    'localidad', 'città', 'citta', 'cidade', 'plaats', 'woonplaats', 'miasto', 'by', 'stad', 'kaupunki', '市区町村',
    '市区郡', '市町村', '城市', '所在城市', '市', '시', '도시', '시/군/구', 'miejscowość', 'gmina',
  ],
  state: [
    'state', 'province', 'state province', 'region', 'st', 'prov', 'state code', 'state abbr', 'territory',
    'bundesland', 'région', 'provincia', 'estado', 'provincie', 'departement', '都道府県', '県', '省', '省份', '省/直辖市', '시/도',
    '도', 'województwo', 'regione', 'estado/provincia', 'uf',
  ],
  postal_code: [
    'zip', 'zip code', 'zipcode', 'postal code', 'postcode', 'post code', 'postal', 'zip5', 'zip 5',
    'zip postal code', 'postal zip', 'pc', 'plz', 'postleitzahl', 'postnummer', 'postinumero', 'code postal', 'cp',
    'código postal', 'codigo postal', 'cap', 'cep', '郵便番号', '〒', '邮编', '邮政编码', '우편번호', 'kod pocztowy',
    'codice postale',
  ],
  country: [
    'country', 'country code', 'country name', 'nation', 'ctry', 'cntry', 'land', 'pays', 'país', 'pais', 'paese',
    '国', '国名', '国コード', '国家', '国家/地区', '국가', '나라', 'kraj', 'paese/regione', 'país/región', 'pays/région',
  ],
  industry: [
    'industry', 'sector', 'vertical', 'industry type', 'branche', 'secteur', 'industria', 'sector industrial', '業種',
    '業界', '行业', '所属行业', '업종', '산업', 'branża',
  ],
  source: [
    'source', 'lead source', 'origin', 'channel', 'campaign', 'utm source', 'quelle', 'origen', 'fonte', 'リードソース',
    '流入経路', '獲得経路', '流入元', '来源', '线索来源', '客户来源', '渠道', '유입 경로', '리드 소스', '출처', 'bron', 'źródło', 'origem',
    'provenienza',
  ],
  consent_date: [
    'consent date', 'date of consent', 'consent timestamp', 'consent given', 'consent given at', 'consented at', 'opt in date', 'optin date',
    'opt in timestamp', 'tcpa consent date', 'pewc date', 'einwilligungsdatum', 'date du consentement', 'fecha de consentimiento',
  ],
  consent_certificate_url: [
    'consent certificate', 'consent certificate url', 'consent cert', 'consent url', 'certificate url', 'cert url', 'trustedform',
    'trustedform url', 'trustedform cert', 'trustedform cert url', 'trustedform certificate', 'trusted form url', 'xxtrustedformcerturl',
  ],
};
