import { int } from '@leadflow/config';

/** The dnc service's memory for the shared lists' area-code bitmaps (docs/dnc-lists.md, "Screening from memory"). */
export const bitmapCacheSchema = {
  bitmapCacheMb: [
    'DNC_BITMAP_CACHE_MB',
    int({
      min: 0,
      max: 65_536,
      default: 1024,
      description: 'MB of area-code bitmaps (1.25 MB each) of the shared Do-Not-Call lists the dnc service holds in memory to screen from, least recently used dropped first; 0 screens every number in Redis',
    }),
  ],
} as const;
