/** The canonical lead fields a column can map to (ARCHITECTURE.md section 3); anything else is `extra`. */
export const CANONICAL_FIELDS = [
  'first_name', 'last_name', 'full_name', 'email', 'phone', 'company', 'domain', 'job_title',
  'street', 'address_line2', 'city', 'state', 'postal_code', 'country', 'industry', 'source',
] as const;

export type CanonicalField = (typeof CANONICAL_FIELDS)[number];

// Header spellings, written normalized (lowercase letters and digits only).
const ALIASES: Record<CanonicalField, readonly string[]> = {
  first_name: ['firstname', 'first', 'fname', 'givenname', 'forename', 'given'],
  last_name: ['lastname', 'last', 'lname', 'surname', 'familyname'],
  full_name: ['fullname', 'name', 'contactname', 'contact', 'leadname'],
  email: ['email', 'emailaddress', 'mail', 'emailaddr', 'emails'],
  phone: [
    'phone', 'phonenumber', 'phoneno', 'telephone', 'telephonenumber', 'tel', 'mobile', 'mobilephone',
    'mobilenumber', 'cell', 'cellphone', 'cellnumber',
  ],
  company: ['company', 'companyname', 'organization', 'organisation', 'employer', 'business', 'businessname'],
  domain: ['domain', 'website', 'web', 'url', 'companywebsite', 'companydomain'],
  job_title: ['jobtitle', 'title', 'position', 'role'],
  street: ['street', 'address', 'streetaddress', 'address1', 'addressline1', 'street1'],
  address_line2: ['address2', 'addressline2', 'street2', 'suite', 'apt'],
  city: ['city', 'town', 'locality'],
  state: ['state', 'province', 'stateprovince', 'region'],
  postal_code: ['zip', 'zipcode', 'postalcode', 'postcode', 'postal', 'zip5'],
  country: ['country', 'countrycode', 'nation'],
  industry: ['industry', 'sector', 'vertical'],
  source: ['source', 'leadsource'],
};

const BY_ALIAS = new Map<string, CanonicalField>(
  Object.entries(ALIASES).flatMap(([field, aliases]) => aliases.map((a) => [a, field as CanonicalField] as const)),
);

export interface HeaderMapping {
  header: string;
  /** A canonical field, or `extra`. */
  field: CanonicalField | 'extra';
  confidence: number;
}

/** `E-Mail Address` → `emailaddress`: case, spaces and punctuation do not matter. */
export function normalizeHeader(header: string): string {
  return header.normalize('NFKD').toLowerCase().replace(/[^a-z0-9]/g, '');
}

/**
 * Maps each header to a canonical field by its name or a common alias. A field goes to its
 * first column; a second column with the same meaning is kept as `extra`.
 */
export function mapHeaders(headers: readonly string[]): HeaderMapping[] {
  const taken = new Set<CanonicalField>();
  return headers.map((header) => {
    const normalized = normalizeHeader(header);
    const field = BY_ALIAS.get(normalized);
    if (!field || taken.has(field)) return { header, field: 'extra', confidence: field ? 0.5 : 0 };
    taken.add(field);
    return { header, field, confidence: normalized === field.replace(/_/g, '') ? 1 : 0.95 };
  });
}
