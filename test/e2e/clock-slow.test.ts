import { uploadsInARow } from './clock-speed';

// A slow emulated clock: every ECS step takes longer than the handlers.
uploadsInARow(20);
