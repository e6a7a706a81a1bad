import { describe, expect, it } from 'vitest';
import { normalizeState } from './normalize.js';

describe('normalizeState', () => {
  it.each([
    // AP style
    ['Calif.', 'CA'], ['Mass.', 'MA'], ['Ala.', 'AL'], ['Ariz.', 'AZ'], ['Ark.', 'AR'], ['Colo.', 'CO'], ['Conn.', 'CT'],
    ['Del.', 'DE'], ['Fla.', 'FL'], ['Ga.', 'GA'], ['Ill.', 'IL'], ['Ind.', 'IN'], ['Kan.', 'KS'], ['Ky.', 'KY'], ['La.', 'LA'],
    ['Md.', 'MD'], ['Mich.', 'MI'], ['Minn.', 'MN'], ['Miss.', 'MS'], ['Mo.', 'MO'], ['Mont.', 'MT'], ['Neb.', 'NE'],
    ['Nev.', 'NV'], ['N.H.', 'NH'], ['N.J.', 'NJ'], ['N.M.', 'NM'], ['N.Y.', 'NY'], ['N.C.', 'NC'], ['N.D.', 'ND'],
    ['Okla.', 'OK'], ['Ore.', 'OR'], ['Pa.', 'PA'], ['R.I.', 'RI'], ['S.C.', 'SC'], ['S.D.', 'SD'], ['Tenn.', 'TN'],
    ['Vt.', 'VT'], ['Va.', 'VA'], ['Wash.', 'WA'], ['W.Va.', 'WV'], ['Wis.', 'WI'], ['Wyo.', 'WY'], ['D.C.', 'DC'],
    // traditional (GPO) and common variants
    ['Kans.', 'KS'], ['Nebr.', 'NE'], ['N. Mex.', 'NM'], ['N. Dak.', 'ND'], ['S. Dak.', 'SD'], ['Oreg.', 'OR'], ['Tex.', 'TX'],
    ['W. Va.', 'WV'], ['Penn.', 'PA'], ['Penna.', 'PA'], ['Wisc.', 'WI'], ['Cal.', 'CA'], ['CALIF', 'CA'], ['mass', 'MA'],
    // Canada and Australia
    ['Ont.', 'ON'], ['Que.', 'QC'], ['Qué.', 'QC'], ['B.C.', 'BC'], ['Alta.', 'AB'], ['Sask.', 'SK'], ['Man.', 'MB'],
    ['Nfld.', 'NL'], ['P.E.I.', 'PE'], ['N.W.T.', 'NT'], ['N.S.W.', 'NSW'], ['Vic.', 'VIC'],
    // names and codes as before
    ['California', 'CA'], ['new south wales', 'NSW'], ['ny', 'NY'], ['Bayern', 'Bayern'], ['BY', 'BY'],
  ])('%s → %s', (value, code) => {
    expect(normalizeState(value)).toBe(code);
  });
});
