import { describe, expect, it } from 'vitest';
import { supplierLabeller } from './index.js';

describe('the supplier label of leadflow_supplier_rows_total', () => {
  it('names a supplier while the process has seen fewer pairs than its limit, and _other for new ones past it', () => {
    const label = supplierLabeller(2);
    expect([label('t1', 'Acme'), label('t2', 'Acme'), label('t1', 'Zenith'), label('t1', 'Acme'), label('t2', 'Acme')]).toEqual(['Acme', 'Acme', '_other', 'Acme', 'Acme']);
  });
});
