import type { JobRef } from '@leadflow/proto';
import type { JobSupplier } from './job-supplier.js';

/**
 * What a job's batches say of its supplier (JobRef): its name as the tenant registered it, and
 * the region its phone numbers are read in when a row names no country, as it is at upload.
 */
export const supplierRef = (supplier: JobSupplier | undefined): Partial<Pick<JobRef, 'supplier' | 'phoneRegion'>> =>
  supplier ? { supplier: supplier.name, ...(supplier.phoneRegion ? { phoneRegion: supplier.phoneRegion } : {}) } : {};
