import { foldText } from '@leadflow/pipeline';
import { getCountries } from 'libphonenumber-js/max';

/** US states, DC and territories: name → USPS code. */
export const US_STATES: Readonly<Record<string, string>> = {
  alabama: 'AL', alaska: 'AK', arizona: 'AZ', arkansas: 'AR', california: 'CA', colorado: 'CO', connecticut: 'CT',
  delaware: 'DE', 'district of columbia': 'DC', florida: 'FL', georgia: 'GA', hawaii: 'HI', idaho: 'ID', illinois: 'IL',
  indiana: 'IN', iowa: 'IA', kansas: 'KS', kentucky: 'KY', louisiana: 'LA', maine: 'ME', maryland: 'MD',
  massachusetts: 'MA', michigan: 'MI', minnesota: 'MN', mississippi: 'MS', missouri: 'MO', montana: 'MT', nebraska: 'NE',
  nevada: 'NV', 'new hampshire': 'NH', 'new jersey': 'NJ', 'new mexico': 'NM', 'new york': 'NY', 'north carolina': 'NC',
  'north dakota': 'ND', ohio: 'OH', oklahoma: 'OK', oregon: 'OR', pennsylvania: 'PA', 'rhode island': 'RI',
  'south carolina': 'SC', 'south dakota': 'SD', tennessee: 'TN', texas: 'TX', utah: 'UT', vermont: 'VT', virginia: 'VA',
  washington: 'WA', 'west virginia': 'WV', wisconsin: 'WI', wyoming: 'WY', 'puerto rico': 'PR', guam: 'GU',
  'virgin islands': 'VI', 'american samoa': 'AS', 'northern mariana islands': 'MP',
};

/** Canadian provinces and territories: name → Canada Post code. */
export const CA_PROVINCES: Readonly<Record<string, string>> = {
  alberta: 'AB', 'british columbia': 'BC', manitoba: 'MB', 'new brunswick': 'NB', 'newfoundland and labrador': 'NL',
  'nova scotia': 'NS', ontario: 'ON', 'prince edward island': 'PE', quebec: 'QC', québec: 'QC', saskatchewan: 'SK',
  'northwest territories': 'NT', nunavut: 'NU', yukon: 'YT',
};

/** Australian states and territories: name → code. */
export const AU_STATES: Readonly<Record<string, string>> = {
  'new south wales': 'NSW', victoria: 'VIC', queensland: 'QLD', 'western australia': 'WA', 'south australia': 'SA',
  tasmania: 'TAS', 'australian capital territory': 'ACT', 'northern territory': 'NT',
};

/**
 * State and province abbreviations as people write them besides the postal codes, folded (no
 * dots, lowercase): the AP style ("Calif.", "Mass.", "N.M." is caught as initials), the
 * traditional ones of the Government Printing Office ("Kans.", "Oreg.", "N. Dak."), the common
 * variants ("Penn.", "Penna.", "Wisc.", "Cal.") and the Canadian traditional ones ("Ont.", "Que.").
 */
export const STATE_ABBREVIATIONS: Readonly<Record<string, string>> = {
  ala: 'AL', alas: 'AK', ariz: 'AZ', ark: 'AR', cal: 'CA', calif: 'CA', colo: 'CO', conn: 'CT', del: 'DE', fla: 'FL', flor: 'FL',
  ill: 'IL', ind: 'IN', kan: 'KS', kans: 'KS', mass: 'MA', mich: 'MI', minn: 'MN', miss: 'MS', mont: 'MT', neb: 'NE',
  nebr: 'NE', nev: 'NV', 'n mex': 'NM', 'n dak': 'ND', okla: 'OK', ore: 'OR', oreg: 'OR', penn: 'PA', penna: 'PA',
  's dak': 'SD', tenn: 'TN', tex: 'TX', wash: 'WA', 'w va': 'WV', 'w virg': 'WV', wis: 'WI', wisc: 'WI', wyo: 'WY',
  alta: 'AB', man: 'MB', nfld: 'NL', 'nfld and lab': 'NL', ont: 'ON', pei: 'PE', que: 'QC', pq: 'QC', sask: 'SK', nwt: 'NT',
  yuk: 'YT',
};

const codes = (m: Readonly<Record<string, string>>) => new Set(Object.values(m).map((c) => c.toLowerCase()));
export const US_STATE_CODES = codes(US_STATES);
export const CA_PROVINCE_CODES = codes(CA_PROVINCES);
export const AU_STATE_CODES = codes(AU_STATES);

/** ISO 3166-1 alpha-2 codes (the regions libphonenumber knows, which is every country in use). */
export const COUNTRY_CODES: ReadonlySet<string> = new Set(getCountries().map((c) => c.toLowerCase()));

/** Country names in the languages of our suppliers, and common short forms, → alpha-2 code. */
export const COUNTRY_NAMES: ReadonlyMap<string, string> = (() => {
  const names = new Map<string, string>();
  for (const locale of ['en', 'de', 'fr', 'es', 'it', 'pt', 'nl', 'sv', 'pl']) {
    const display = new Intl.DisplayNames([locale], { type: 'region' });
    for (const code of getCountries()) {
      const name = display.of(code);
      if (name) names.set(foldText(name), code);
    }
  }
  for (const [alias, code] of Object.entries({
    usa: 'US', 'u s a': 'US', us: 'US', 'u s': 'US', america: 'US', 'united states of america': 'US', uk: 'GB',
    'u k': 'GB', 'great britain': 'GB', britain: 'GB', england: 'GB', scotland: 'GB', wales: 'GB', 'northern ireland': 'GB',
    holland: 'NL', deutschland: 'DE', 'south korea': 'KR', 'korea': 'KR', russia: 'RU', uae: 'AE', 'czech republic': 'CZ',
  })) names.set(alias, code);
  return names;
})();

/** Common given names across the markets leads come from; a column of mostly these is a first-name column. */
export const FIRST_NAMES: ReadonlySet<string> = new Set(
  `james john robert michael william david richard joseph thomas charles christopher daniel matthew anthony mark donald
  steven paul andrew joshua kenneth kevin brian george timothy ronald edward jason jeffrey ryan jacob gary nicholas eric
  jonathan stephen larry justin scott brandon benjamin samuel gregory alexander frank patrick raymond jack dennis jerry
  tyler aaron jose adam nathan henry douglas zachary peter kyle noah ethan jeremy walter christian keith roger terry austin
  sean gerald carl harold dylan arthur lawrence jordan jesse bryan billy bruce gabriel joe logan albert willie alan eugene
  russell vincent philip bobby johnny bradley roy ralph randy wayne elijah liam lucas oliver mason leo luca mohammed
  muhammad ahmed ali omar hassan yusuf ibrahim mary patricia jennifer linda elizabeth barbara susan jessica sarah karen
  lisa nancy betty margaret sandra ashley kimberly emily donna michelle carol amanda dorothy melissa deborah stephanie
  rebecca sharon laura cynthia kathleen amy angela shirley anna brenda pamela emma nicole helen samantha katherine christine
  debra rachel carolyn janet catherine maria heather diane ruth julie olivia joyce virginia victoria kelly lauren christina
  joan evelyn judith megan andrea cheryl hannah jacqueline martha gloria teresa ann sara madison frances kathryn janice
  jean abigail alice judy sophia grace denise amber doris marilyn danielle beverly isabella theresa diana natalie brittany
  charlotte marie kayla alexis lori ava mia zoe chloe lily ella aria layla nora hazel aurora ellie sofia camila lucia
  valentina elena ana carmen laura marta paula julia clara ines beatriz lea lena hanna anna emilia marie sophie mila
  noemie camille manon chloe ines jade louise alice lina juliette lucie giulia francesca chiara alessia martina sara
  aleisha sienna jacinta kirra tahlia zara ruby matilda harriet imogen poppy freya isla amelia jessica priya ananya aditi
  neha pooja rahul amit raj vikram arjun rohan wei li ming hui yan jun hiroshi yuki takashi haruto sakura kenji mei
  jose juan carlos luis jorge pedro miguel javier diego fernando pablo alejandro rafael sergio andres manuel francisco
  antonio giuseppe marco giovanni francesco andrea matteo lorenzo alessandro davide hans peter klaus jurgen stefan
  michael thomas andreas wolfgang uwe jan lukas finn felix jonas leon paul maximilian pierre jean michel philippe alain
  nicolas francois olivier thierry sebastien julien antoine hugo louis arthur jules brinley bronte jayden caleb riley
  harrison lachlan cooper archie charlie harry oscar thomas william xavier fatima aisha amina zainab maryam khadija
  ngozi chinedu oluwaseun adebayo kwame kofi abena thandiwe sipho tomasz piotr krzysztof agnieszka katarzyna magdalena
  aoife siobhan niamh saoirse ciaran sean padraig eoin mateo santiago sebastian valeria ximena dmitri ivan sergei olga
  tatiana natalia anastasia ingrid astrid sigrid lars erik nils bjorn sven freya keanu kai leilani bronwyn rhys dylan
  gareth cerys raj ravi sanjay sunita deepak anil vijay lakshmi kavya chen wang zhang liu yang huang zhao jing xin
  hyun jisoo minjun seo yeon nguyen thi minh anh duc linh tuan hoa mohamed mustafa mehmet ayse fatma emine zeynep elif
  burak emre can deniz jorge ricardo eduardo gustavo rodrigo felipe thiago bruno leonardo gabriela fernanda camila
  juliana adriana patricia renata beatriz joao`.split(/\s+/).filter(Boolean),
);

/** Salutations: a "Title" column of these is not a job title. */
export const SALUTATIONS: ReadonlySet<string> = new Set(['mr', 'mrs', 'ms', 'miss', 'mx', 'dr', 'prof', 'sir', 'madam', 'herr', 'frau', 'm', 'mme', 'mlle', 'sr', 'sra', 'srta', 'rev']);

/** Words that end company names. */
export const COMPANY_WORDS: ReadonlySet<string> = new Set(
  `inc incorporated llc ltd limited corp corporation co company plc gmbh ag sa sas sarl srl spa bv nv pty pte oy ab as kg
  group holdings partners solutions technologies technology systems services consulting labs industries international
  global enterprises associates studio agency bank capital ventures media software networks`.split(/\s+/).filter(Boolean),
);

/** Words in job titles. */
export const JOB_WORDS: ReadonlySet<string> = new Set(
  `manager director ceo cto cfo coo cmo cio vp president vice chief head lead engineer developer analyst consultant owner
  founder cofounder partner specialist coordinator assistant officer executive associate administrator architect designer
  sales marketing account representative rep supervisor principal senior junior intern accountant attorney counsel
  controller buyer recruiter advisor scientist teacher nurse physician technician operator agent broker secretary chair
  chairman treasurer editor producer strategist planner`.split(/\s+/).filter(Boolean),
);

/** Street-type words (English, and the commonest elsewhere). */
export const STREET_WORDS: ReadonlySet<string> = new Set(
  `street st avenue ave road rd lane ln drive dr boulevard blvd way court ct place pl terrace tce crescent cres circle cir
  highway hwy parkway pkwy square sq close cl grove parade pde trail loop alley row walk esplanade strasse str weg platz
  allee gasse rue chemin boulevard avenida calle via viale piazza rua straat laan plein cove circuit`.split(/\s+/).filter(Boolean),
);
