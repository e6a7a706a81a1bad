import { describe, expect, it } from 'vitest';
import { XmlGuard, type XmlOverrun } from './xml-guard.js';

const bounds = { maxTextChars: 10, maxMarkupChars: 30 };

/** What the guard stops `xml` for, fed in pieces of `size` characters; undefined when it lets it through. */
function overrun(xml: string, size = xml.length): XmlOverrun | undefined {
  const guard = new XmlGuard(bounds, (what) => Object.assign(new Error(what), { what }));
  try {
    for (let i = 0; i < xml.length; i += size) guard.check(xml.slice(i, i + size));
    return undefined;
  } catch (err) {
    return (err as { what: XmlOverrun }).what;
  }
}

describe('XmlGuard', () => {
  const fine = '<?xml version="1.0"?><sst a="x>y"><si><t>0123456789</t></si><!-- a <b> c --><si><t><![CDATA[<0123>]]></t></si><e/></sst>';

  it('lets a document within its bounds through, however it is cut', () => {
    for (let size = 1; size <= fine.length; size++) expect(overrun(fine, size), `pieces of ${size}`).toBeUndefined();
  });

  it('stops a text, a CDATA section, a tag, a comment or a processing instruction past its bound, however it is cut', () => {
    const cases: [string, XmlOverrun][] = [
      ['<t>01234567890</t>', 'text'],
      ['<t><![CDATA[<<<<<<<<<<<]]></t>', 'text'],
      [`<t a="${'x'.repeat(30)}"/>`, 'markup'],
      [`<!--${'<>'.repeat(15)}-->`, 'markup'],
      [`<?pi ${'?'.repeat(30)}?>`, 'markup'],
      ['<!DOCTYPE t>', 'doctype'],
      ['<!ENTITY a "b">', 'doctype'],
    ];
    for (const [xml, what] of cases) {
      for (const size of [1, 2, 3, 7, xml.length]) expect(overrun(xml, size), `${xml} in pieces of ${size}`).toBe(what);
    }
  });
});
