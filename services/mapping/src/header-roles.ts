import { abbreviates } from './abbreviation.js';
import { compact, foldHeader } from './header-fold.js';

/**
 * What a header says about whose data its column holds, before any field is matched:
 * another person's (an owner, a rep, who created the record), an identifier's, or a social
 * profile's. Such a column stays extra whatever its values look like: an owner's name looks like
 * a lead's name, an owner's email like the lead's email, and a numeric id like a phone number,
 * and taking one of them for the lead's gives every lead of that owner the same identity.
 */
export type HeaderRole = { kind: 'another-party' | 'identifier' | 'profile'; detail: string };

// Words that make the column someone else's: the record's owner and the users who handled it.
// Phrases are matched word by word; a word also matches its consonants ("SlsRep", "CrtdBy").
const ANOTHER_PARTY = [
  'owner', 'owned by', 'rep', 'representative', 'sales rep', 'salesperson', 'salesman', 'account manager',
  'account executive', 'assigned', 'assigned to', 'assignee', 'created by', 'creator', 'modified by',
  'updated by', 'edited by', 'entered by', 'added by', 'author', 'assistant', 'reports to', 'referred by',
  'referrer',
  // German, French, Spanish, Italian, Dutch, Polish, Portuguese.
  'inhaber', 'eigentümer', 'besitzer', 'zuständig', 'zuständiger', 'zuständige', 'verantwortlich',
  'verantwortlicher', 'betreuer', 'kundenbetreuer', 'vertriebsmitarbeiter', 'erstellt von', 'geändert von',
  'angelegt von', 'bearbeitet von',
  'propriétaire', 'responsable', 'créé par', 'modifié par', 'attribué à', 'assigné à',
  'propietario', 'creado por', 'modificado por', 'asignado a', 'vendedor', 'ejecutivo de cuenta',
  'proprietario', 'responsabile', 'creato da', 'modificato da', 'assegnato a', 'venditore',
  'eigenaar', 'aangemaakt door', 'gewijzigd door', 'toegewezen aan', 'verkoper', 'accountmanager',
  'właściciel', 'opiekun', 'utworzone przez', 'zmodyfikowane przez', 'przypisany', 'handlowiec',
  'dono', 'proprietário', 'criado por', 'atribuído a',
].map((p) => foldHeader(p).split(' '));

// Japanese, Chinese and Korean words for the same, found inside a word: 所有者 / 소유자 owner,
// 作成者 / 创建人 / 작성자 creator, 负责人 the person responsible, 添加人 who added the contact.
const ANOTHER_PARTY_CJK = [
  '所有者', '作成者', '更新者', '登録者', '営業担当', '担当営業', '社内担当', '自社担当',
  '负责人', '負責人', '所有人', '创建人', '创建者', '修改人', '添加人', '跟进人', '协作人', '销售代表', '业务员', '归属人',
  '소유자', '작성자', '생성자', '수정자', '등록자', '영업담당',
];

// 담당자, 担当者, the person in charge: the customer's contact in a customer list, our own member
// on a record a CRM exports ("Lead-담당자"). Someone else's only when the header names the record.
const IN_CHARGE = ['담당자', '担当者', '担当'];
const RECORD_WORDS = new Set([
  'lead', 'leads', 'deal', 'deals', 'opportunity', 'account', 'record', '리드', '딜', '案件', '商談', '线索', '商机',
]);

/** A name part after "owner" keeps the lead's: on a property list, "Owner First Name" is the lead's. */
const NAME_PARTS = new Set(['first', 'last', 'given', 'family', 'middle', 'surname']);

const IDENTIFIER = new Set(['id', 'ids', 'identifier', 'guid', 'uuid']);
const IDENTIFIER_CJK = ['编号', '識別子', 'コード', '코드'];

const PROFILE = ['linkedin', 'facebook', 'twitter', 'instagram', 'xing', 'skype', 'youtube'];

const SOMEONE_ELSE =
  'the header names another person than the lead (an owner, a rep, who created or changed the record)';

/** "sls" for sales, "crtd" for created: three letters or more, no vowel after the first. */
const consonantsOf = (token: string, word: string) =>
  token.length >= 3 && !/[aeiou]/.test(token.slice(1)) && abbreviates(token, word);

function containsPhrase(tokens: readonly string[], phrase: readonly string[]): boolean {
  for (let i = 0; i + phrase.length <= tokens.length; i++) {
    if (phrase.every((w, j) => tokens[i + j] === w || consonantsOf(tokens[i + j]!, w))) return true;
  }
  return false;
}

/** Whose data a header's column holds when it is not the lead's own; undefined when it may be the lead's. */
export function headerRole(header: string): HeaderRole | undefined {
  const folded = foldHeader(header);
  const tokens = folded.split(' ').filter(Boolean);
  const whole = compact(folded);

  const ownerOfName = tokens.some((t, i) => t === 'owner' && NAME_PARTS.has(tokens[i + 1] ?? ''));
  const someoneElse = (!ownerOfName && ANOTHER_PARTY.some((p) => containsPhrase(tokens, p))) ||
    ANOTHER_PARTY_CJK.some((w) => whole.includes(w));
  if (someoneElse) return { kind: 'another-party', detail: SOMEONE_ELSE };
  if (IN_CHARGE.some((w) => whole.includes(w)) && tokens.some((t) => RECORD_WORDS.has(t))) {
    return { kind: 'another-party', detail: 'the header names the member in charge of the record, not the lead' };
  }
  if (PROFILE.some((p) => whole.includes(p))) {
    return { kind: 'profile', detail: 'the header names a profile on a social network' };
  }
  if (tokens.some((t) => IDENTIFIER.has(t)) || IDENTIFIER_CJK.some((w) => whole.includes(w))) {
    return { kind: 'identifier', detail: 'the header names an identifier' };
  }
  return undefined;
}
