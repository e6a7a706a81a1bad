/**
 * What the columns of an export hold in each locale of the header corpora: names, companies,
 * addresses, phone numbers and the words of status and note columns, as such files carry them.
 * The Latin-script locales share one international pool of names and companies (a German
 * export is full of non-German names); each CJK locale has its own.
 */
export type Rng = {
  next: () => number;
  pick: <T>(xs: readonly T[]) => T;
  int: (lo: number, hi: number) => number;
};

export const FIRST = ['Ann', 'Robert', 'Maria', 'Kenji', 'Fatima', 'Liam', 'Chloé', 'Jürgen', 'Sofia', 'Priya', 'Tomasz', 'Aoife', 'Mateo', 'Ingrid', 'Dmitri', 'Ngozi', 'Keanu', 'Bronwyn', 'Siobhan', 'Raj'];
export const LAST = ['Smith', 'García', "O'Brien", 'Müller', 'Nakamura', 'Okafor', 'van der Berg', 'Rossi', 'Dubois', 'Kowalski', 'Haddad', 'Nguyen', 'MacDonald', 'Silva', 'Johansson'];
export const COMPANIES = ['Acme Inc', 'Globex Corporation', 'Initech LLC', 'Umbrella Group', 'Stark Industries', 'Blue Harbor', 'Nordlicht GmbH', 'Soylent Ltd', 'Hooli', 'Vandelay Industries', 'Wayne Enterprises', 'Tyrell Systems'];
export const TITLES = ['Sales Manager', 'CEO', 'Marketing Director', 'Software Engineer', 'VP Operations', 'Account Executive', 'Office Manager', 'Head of IT', 'Founder', 'Procurement Lead'];
export const CITIES = ['Springfield', 'Boston', 'Austin', 'Denver', 'Leeds', 'Lyon', 'Madrid', 'Milano', 'Utrecht', 'Perth', 'Toronto', 'Curitiba'];
export const DOMAINS = ['acme.com', 'globex.io', 'initech.net', 'umbrella.org', 'hooli.com', 'vandelay.co.uk'];

const digits = (r: Rng, n: number) => Array.from({ length: n }, () => r.int(0, 9)).join('');

export const usPhone = (r: Rng) => {
  const d = `${r.pick(['201', '212', '312', '415', '617', '702'])}${r.int(200, 989)}${String(r.int(0, 9999)).padStart(4, '0')}`;
  return r.pick([`(${d.slice(0, 3)}) ${d.slice(3, 6)}-${d.slice(6)}`, `${d.slice(0, 3)}-${d.slice(3, 6)}-${d.slice(6)}`, `+1 ${d}`, d]);
};

/** Locale data for the fields whose values differ by country; unset fields use the shared pools. */
export interface Locale {
  first?: readonly string[];
  last?: readonly string[];
  /** A full name from a first and a last name, in the locale's order. */
  fullName?: (first: string, last: string) => string;
  companies?: readonly string[];
  titles?: readonly string[];
  cities?: readonly string[];
  states?: readonly string[];
  countries?: readonly string[];
  street?: (r: Rng) => string;
  postal?: (r: Rng) => string;
  phone?: (r: Rng) => string;
  departments?: readonly string[];
  statuses?: readonly string[];
  notes?: readonly string[];
  kana?: readonly string[];
  dateOrder?: 'ymd' | 'dmy' | 'mdy';
}

export const LOCALES: Readonly<Record<string, Locale>> = {
  us: {},
  de: {
    street: (r) => `Hauptstraße ${r.int(1, 200)}`,
    phone: (r) => `+49 30 ${r.int(1000000, 9999999)}`,
    states: ['Bayern', 'Berlin', 'Hessen', 'Nordrhein-Westfalen', 'Sachsen', 'Hamburg'],
    departments: ['Vertrieb', 'Marketing', 'Einkauf', 'IT'],
    statuses: ['Neu', 'In Bearbeitung', 'Qualifiziert', 'Kunde', 'Lead'],
    notes: ['Rückruf nächste Woche', 'Interesse an Preisen', '', 'Messe Köln'],
    dateOrder: 'dmy',
  },
  fr: {
    street: (r) => `${r.int(1, 99)} rue de la Paix`,
    phone: (r) => `+33 1 ${r.int(10, 99)} ${r.int(10, 99)} ${r.int(10, 99)} ${r.int(10, 99)}`,
    states: ['Île-de-France', 'Occitanie', 'Bretagne', 'Grand Est', 'Normandie'],
    departments: ['Ventes', 'Marketing', 'Achats', 'Informatique'],
    statuses: ['Nouveau', 'En cours', 'Qualifié', 'Client', 'Prospect'],
    notes: ['Rappeler la semaine prochaine', 'Intéressé par les tarifs', '', 'Salon Paris'],
    dateOrder: 'dmy',
  },
  es: {
    street: (r) => `Calle Mayor ${r.int(1, 150)}`,
    phone: (r) => r.pick([`+34 6${digits(r, 2)} ${digits(r, 3)} ${digits(r, 3)}`, `91 ${digits(r, 3)} ${digits(r, 2)} ${digits(r, 2)}`]),
    states: ['Madrid', 'Barcelona', 'Valencia', 'Sevilla', 'Vizcaya'],
    departments: ['Ventas', 'Marketing', 'Compras'],
    statuses: ['Nuevo', 'Contactado', 'Cualificado', 'Cliente'],
    notes: ['Llamar la semana que viene', 'Pidió precios', '', 'Feria de Madrid'],
    dateOrder: 'dmy',
  },
  it: {
    street: (r) => `Via Roma ${r.int(1, 150)}`,
    phone: (r) => r.pick([`+39 3${digits(r, 2)} ${digits(r, 3)} ${digits(r, 4)}`, `02 ${digits(r, 4)} ${digits(r, 4)}`]),
    states: ['MI', 'RM', 'TO', 'Lombardia', 'Lazio', 'Piemonte'],
    statuses: ['Nuovo', 'Contattato', 'Qualificato', 'Cliente'],
    notes: ['Richiamare', 'Interessato ai prezzi', ''],
    dateOrder: 'dmy',
  },
  nl: {
    street: (r) => `Kerkstraat ${r.int(1, 150)}`,
    phone: (r) => r.pick([`+31 6 ${digits(r, 8)}`, `020 ${digits(r, 3)} ${digits(r, 4)}`]),
    states: ['Noord-Holland', 'Zuid-Holland', 'Utrecht', 'Gelderland'],
    statuses: ['Nieuw', 'Gekwalificeerd', 'Klant', 'Lead'],
    notes: ['Volgende week terugbellen', 'Vroeg om prijzen', ''],
    dateOrder: 'dmy',
  },
  pl: {
    street: (r) => `ul. Długa ${r.int(1, 150)}`,
    postal: (r) => `${r.int(10, 99)}-${String(r.int(0, 999)).padStart(3, '0')}`,
    phone: (r) => r.pick([`+48 ${digits(r, 3)} ${digits(r, 3)} ${digits(r, 3)}`, `22 ${digits(r, 3)} ${digits(r, 2)} ${digits(r, 2)}`]),
    states: ['mazowieckie', 'małopolskie', 'śląskie', 'pomorskie'],
    statuses: ['Nowy', 'W trakcie', 'Klient'],
    notes: ['Oddzwonić w przyszłym tygodniu', 'Pytał o ceny', ''],
    dateOrder: 'dmy',
  },
  pt: {
    street: (r) => `Rua das Flores, ${r.int(1, 900)}`,
    postal: (r) => `${r.int(10000, 99999)}-${String(r.int(0, 999)).padStart(3, '0')}`,
    phone: (r) => r.pick([`(11) 9${digits(r, 4)}-${digits(r, 4)}`, `+55 21 9${digits(r, 4)}-${digits(r, 4)}`]),
    states: ['SP', 'RJ', 'MG', 'PR', 'São Paulo', 'Paraná'],
    notes: ['Ligar na semana que vem', 'Pediu orçamento', ''],
    dateOrder: 'dmy',
  },
  gb: {
    street: (r) => `${r.int(1, 200)} High Street`,
    postal: (r) => r.pick(['SW1A 1AA', 'M1 1AE', 'B33 8TH', 'LS1 4AP', 'EC2A 4BX']),
    phone: (r) => r.pick([`+44 20 ${digits(r, 4)} ${digits(r, 4)}`, `07${digits(r, 3)} ${digits(r, 6)}`]),
    states: ['Greater London', 'West Yorkshire', 'Kent', 'Lancashire'],
    dateOrder: 'dmy',
  },
  ja: {
    first: ['太郎', '花子', '健一', '美咲', '翔太', '由美', '大輔', '陽子'],
    last: ['佐藤', '鈴木', '高橋', '田中', '伊藤', '渡辺', '山本', '中村'],
    fullName: (first, last) => `${last} ${first}`,
    companies: ['株式会社サンプル商事', '山田電機株式会社', '合同会社ミライ', '東邦システム株式会社', '株式会社青葉製作所'],
    titles: ['営業部長', '代表取締役', '課長', 'エンジニア', 'マネージャー', '主任'],
    cities: ['渋谷区', '大阪市北区', '横浜市西区', '札幌市中央区', '福岡市博多区'],
    states: ['東京都', '大阪府', '神奈川県', '北海道', '福岡県'],
    countries: ['日本', 'JP', 'Japan'],
    street: (r) => r.pick(['道玄坂', '梅田', 'みなとみらい', '北一条西', '博多駅前']) + `${r.int(1, 5)}-${r.int(1, 20)}-${r.int(1, 30)}`,
    postal: (r) => `${r.int(100, 999)}-${String(r.int(0, 9999)).padStart(4, '0')}`,
    phone: (r) => r.pick([`03-${digits(r, 4)}-${digits(r, 4)}`, `090-${digits(r, 4)}-${digits(r, 4)}`, `06-${digits(r, 4)}-${digits(r, 4)}`, `+81 3-${digits(r, 4)}-${digits(r, 4)}`]),
    departments: ['営業部', 'マーケティング部', '情報システム部', '総務部'],
    statuses: ['未対応', '対応中', '商談化', '失注'],
    notes: ['展示会で名刺交換', '資料送付済み', '', '来週フォロー'],
    kana: ['サトウ', 'スズキ', 'タカハシ', 'タロウ', 'ハナコ', 'ケンイチ'],
    dateOrder: 'ymd',
  },
  zh: {
    first: ['伟', '芳', '娜', '敏', '静', '强', '建国', '丽华'],
    last: ['王', '李', '张', '刘', '陈', '杨', '赵', '黄'],
    fullName: (first, last) => `${last}${first}`,
    companies: ['北京星辰科技有限公司', '上海华彩贸易有限公司', '深圳市云帆网络科技有限公司', '杭州青禾信息技术有限公司'],
    titles: ['销售经理', '总经理', '市场总监', '工程师', '采购主管'],
    cities: ['北京市', '上海市', '深圳市', '杭州市', '成都市'],
    states: ['广东省', '浙江省', '江苏省', '四川省', '北京市'],
    countries: ['中国', 'CN'],
    street: (r) => r.pick(['朝阳区建国路', '南山区科技园路', '西湖区文三路', '浦东新区世纪大道']) + `${r.int(1, 300)}号`,
    postal: (r) => String(r.int(100000, 850000)),
    phone: (r) => r.pick([`1${r.pick(['38', '39', '58', '86'])}${digits(r, 8)}`, `+86 1${r.pick(['38', '39'])} ${digits(r, 4)} ${digits(r, 4)}`, `010-${digits(r, 8)}`]),
    departments: ['销售部', '市场部', '技术部'],
    statuses: ['跟进中', '已转化', '无效', '新建'],
    notes: ['意向强', '已发报价', '', '展会获取'],
    dateOrder: 'ymd',
  },
  ko: {
    first: ['민준', '서연', '지훈', '수빈', '현우', '지민'],
    last: ['김', '이', '박', '최', '정', '강'],
    fullName: (first, last) => `${last}${first}`,
    companies: ['(주)한빛소프트', '네오테크 주식회사', '주식회사 다온', '글로벌전자'],
    titles: ['영업팀장', '대표이사', '과장', '매니저', '연구원'],
    cities: ['서울특별시', '부산광역시', '성남시', '인천광역시'],
    states: ['경기도', '서울특별시', '경상남도', '부산광역시'],
    countries: ['대한민국', 'KR', '한국'],
    street: (r) => r.pick(['강남구 테헤란로', '해운대구 센텀중앙로', '분당구 판교역로']) + ` ${r.int(1, 300)}`,
    postal: (r) => String(r.int(10000, 63999)),
    phone: (r) => r.pick([`010-${digits(r, 4)}-${digits(r, 4)}`, `02-${digits(r, 3)}-${digits(r, 4)}`, `+82 10-${digits(r, 4)}-${digits(r, 4)}`]),
    departments: ['영업팀', '마케팅팀', '개발팀'],
    statuses: ['신규', '진행 중', '성사'],
    notes: ['재구매 문의', '견적서 발송', '', '전시회'],
    dateOrder: 'ymd',
  },
};

/** The old corpora's locales: Australia, the UK and Canada by their earlier names, no own data. */
export function localeData(code: string): Locale {
  return LOCALES[code] ?? {};
}

export function formatDate(r: Rng, order: Locale['dateOrder'] = 'ymd'): string {
  const y = 2018 + r.int(0, 7);
  const m = String(r.int(1, 12)).padStart(2, '0');
  const d = String(r.int(1, 28)).padStart(2, '0');
  return order === 'dmy' ? `${d}.${m}.${y}` : order === 'mdy' ? `${m}/${d}/${y}` : `${y}-${m}-${d}`;
}

export { digits };
