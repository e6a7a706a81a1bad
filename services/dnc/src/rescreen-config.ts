import { int } from '@leadflow/config';

/** The settings of re-screening (docs/rescreen.md), read by the dnc service and `leadflow serve`. */
export const rescreenSchema = {
  rescreenIntervalHours: [
    'DNC_RESCREEN_INTERVAL_HOURS',
    int({
      min: 1, max: 743, default: 720,
      description: 'hours after which a stored lead is screened again against every list (below 744, 31 days: the registry must be re-scrubbed at least every 31 days)',
    }),
  ],
  rescreenScheduleMs: [
    'DNC_RESCREEN_SCHEDULE_MS',
    int({ min: 1_000, max: 86_400_000, default: 3_600_000, description: 'how often the schedule looks for leads due to be screened again' }),
  ],
  rescreenPollMs: [
    'DNC_RESCREEN_POLL_MS',
    int({ min: 100, max: 3_600_000, default: 5_000, description: 'how often re-screenings asked for (a list change, POST /v1/dnc/rescreen) are looked for' }),
  ],
} as const;
