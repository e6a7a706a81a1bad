import { describe, expect, it } from 'vitest';
import { foldHeader, mapColumns } from './index.js';

/** The field each header gets, for a file of these columns and values. */
function fields(columns: Record<string, readonly string[]>, region = 'US'): Record<string, string> {
  const headers = Object.keys(columns);
  const decisions = mapColumns(headers, headers.map((h) => columns[h]!), { region });
  return Object.fromEntries(decisions.map((d) => [d.header, d.field]));
}

const OWNERS = ['Sarah Chen', 'Robert Miller', 'Maria Garcia', 'Sarah Chen'];

describe('headers of CRM, lead-ad and data-vendor exports', () => {
  it('keeps a column that names another person than the lead extra, whatever its values look like', () => {
    const decisions = mapColumns(
      ['Lead Owner', 'Owner Email', 'First Name', 'Last Name', 'Email', 'Contact owner', 'Created By', 'SlsRep', 'Zuständiger Mitarbeiter', '所有者アドレス'],
      [OWNERS, ['sarah.chen@seller.com', 'rob@seller.com', 'maria@seller.com'], ['Ann', 'Liam', 'Priya'], ['Lee', 'Smith', 'Rossi'],
        ['ann.lee@acme.com', 'liam@globex.io', 'priya@initech.net'], OWNERS, OWNERS, OWNERS, OWNERS, ['sarah.chen@seller.com']],
    );
    expect(decisions.map((d) => d.field)).toEqual(['extra', 'extra', 'first_name', 'last_name', 'email', 'extra', 'extra', 'extra', 'extra', 'extra']);
    expect(decisions[0]!.evidence[0]!.detail).toBe('the header names another person than the lead (an owner, a rep, who created or changed the record)');
  });

  it('keeps the lead\'s own name under "Owner First Name" of a property list', () => {
    expect(fields({ 'Owner First Name': ['Ann', 'Liam'], 'Owner Last Name': ['Lee', 'Smith'], 'Property Address': ['12 Main St', '4 Oak Ave'] }))
      .toEqual({ 'Owner First Name': 'first_name', 'Owner Last Name': 'last_name', 'Property Address': 'street' });
  });

  it('does not take identifier columns for names, companies or phone numbers', () => {
    const decided = fields(
      {
        'Contact ID': ['40213', '40214', '40215'],
        AccountId: ['0015g00000AbCdEfGH', '0015g00000ZyXwVuTS'],
        客户编号: ['13812345678', '13987654321', '15811112222'],
        campaign_id: ['c:23849853425910183', 'c:23849853425910184'],
        campaign_name: ['Spring Sale – Lookalike', 'Retargeting 30d'],
        full_name: ['Ann Lee', 'Liam Smith'],
        'Email ID': ['ann.lee@acme.com', 'liam@globex.io'],
      },
      'CN',
    );
    expect(decided).toEqual({
      'Contact ID': 'extra', AccountId: 'extra', 客户编号: 'extra', campaign_id: 'extra', campaign_name: 'source', full_name: 'full_name',
      'Email ID': 'email',
    });
  });

  it('reads Japanese, Chinese and Korean headers', () => {
    expect(fields({ 会社名: ['株式会社サンプル'], 姓: ['佐藤'], 名: ['太郎'], 姓カナ: ['サトウ'], メールアドレス: ['t.sato@sample.co.jp'], 電話番号: ['03-1234-5678'], 郵便番号: ['150-0043'], 都道府県: ['東京都'], 市区町村: ['渋谷区'], '町域・番地': ['道玄坂1-2-3'], 役職: ['部長'] }, 'JP'))
      .toEqual({ 会社名: 'company', 姓: 'last_name', 名: 'first_name', 姓カナ: 'extra', メールアドレス: 'email', 電話番号: 'phone', 郵便番号: 'postal_code', 都道府県: 'state', 市区町村: 'city', '町域・番地': 'street', 役職: 'job_title' });
    expect(fields({ 姓名: ['张伟'], 公司名称: ['北京星辰科技有限公司'], 手机号: ['13812345678'], 邮箱: ['zhang.wei@xingchen.cn'], 职位: ['销售经理'], 负责人: ['王芳'] }, 'CN'))
      .toEqual({ 姓名: 'full_name', 公司名称: 'company', 手机号: 'phone', 邮箱: 'email', 职位: 'job_title', 负责人: 'extra' });
    expect(fields({ 이름: ['김민준'], 회사: ['(주)한빛소프트'], 전화번호: ['010-1234-5678'], 이메일: ['minjun@hanbit.kr'], 'Lead-담당자': ['박지훈'] }, 'KR'))
      .toEqual({ 이름: 'full_name', 회사: 'company', 전화번호: 'phone', 이메일: 'email', 'Lead-담당자': 'extra' });
  });

  it("applies a supplier's confirmed mapping of a Japanese header to that header only", () => {
    const decisions = mapColumns(['会社名', 'メール'], [['株式会社サンプル'], ['t.sato@sample.co.jp']], {
      confirmed: new Map([[foldHeader('会社名'), 'company']]),
    });
    expect(decisions.map((d) => d.field)).toEqual(['company', 'email']);
  });

  it('reads unvowelled and truncated abbreviations', () => {
    expect(fields({ FrstNm: ['Ann', 'Liam'], LstNm: ['Lee', 'Smith'], Cmpny: ['Acme Inc', 'Globex Corporation'], PhNbr: ['(201) 555-0123', '212-555-0199'], EmlAddr: ['ann@acme.com', 'liam@globex.io'], Addr1: ['12 Main St', '4 Oak Ave'], ZipCd: ['02110', '10001'] }))
      .toEqual({ FrstNm: 'first_name', LstNm: 'last_name', Cmpny: 'company', PhNbr: 'phone', EmlAddr: 'email', Addr1: 'street', ZipCd: 'postal_code' });
  });

  it("puts an organization's columns below the person's, and its name on the company", () => {
    expect(fields({ 'People-이름': ['김민준'], 'People-전화': ['010-1234-5678'], 'Organization-이름': ['글로벌전자'], 'Organization-전화': ['02-123-4567'], 'Organization-주소': ['강남구 테헤란로 123'] }, 'KR'))
      .toEqual({ 'People-이름': 'full_name', 'People-전화': 'phone', 'Organization-이름': 'company', 'Organization-전화': 'extra', 'Organization-주소': 'street' });
  });

  it('takes neither a social profile nor a department for a website or an address line', () => {
    const profiles = ['https://www.linkedin.com/in/ann-lee-1a2b3c', 'https://linkedin.com/in/liam-smith', 'https://www.linkedin.com/in/priya-r'];
    expect(fields({ Department: ['Sales', 'Marketing', 'Finance'], 'LinkedIn Profile': profiles, 'Column 3': profiles }))
      .toEqual({ Department: 'extra', 'LinkedIn Profile': 'extra', 'Column 3': 'extra' });
  });
});
