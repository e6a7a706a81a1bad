export { createMetrics, SUPPLIER_SERIES_LIMIT, supplierLabeller } from './create-metrics.js';
export type { Metrics } from './create-metrics.js';
