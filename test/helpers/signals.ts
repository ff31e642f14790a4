/**
 * How tests that drive the emulator wait: for explicit signals (an event on
 * the bus, a notification, a ledger state, a count), never for a span of wall
 * time. A signal normally comes within seconds; the only wall-time bound is
 * one backstop per test, shared by all its waits, and the test's jest limit
 * lies above it, so no wait can outlast the limit it runs in and a failure
 * names what was awaited instead of jest's bare "Exceeded timeout".
 */

/**
 * One test's budget for all its waits together: generous, since it only catches a signal that never comes
 * (the 200 shuffled uploads, 15 s on an idle 2-core machine, took 240 s with a CPU hog and other test runs beside it).
 */
export const SIGNAL_BACKSTOP_MS = 600_000;

/** The jest limit of a test that waits with a {@link SignalBudget}: its backstop plus room for what the test does besides waiting. */
export const SIGNAL_TEST_LIMIT_MS = SIGNAL_BACKSTOP_MS + 300_000;

/** The jest limit of a `beforeAll` that starts an emulator and loads what a test runs (cold module transforms on a busy machine). */
export const SETUP_LIMIT_MS = 300_000;

/** The time left of one test's backstop, for the `timeoutMs` of each wait it makes. */
export interface SignalBudget {
  /** Milliseconds left (at least 1): pass it as a wait's timeout. */
  left(): number;
}

/**
 * Starts a test's backstop: every wait of the test takes `budget.left()`,
 * so together they never exceed `ms` (and the jest limit above it).
 *
 * @example
 * const budget = signalBudget();
 * await emulator.bus.waitFor(isEvent('Portal Deployment Succeeded'), budget.left(), 'the deployment');
 */
export function signalBudget(ms = SIGNAL_BACKSTOP_MS): SignalBudget {
  const deadline = Date.now() + ms;
  return { left: () => Math.max(1, deadline - Date.now()) };
}

/**
 * Loads the control plane's Lambda handlers (the emulator loads them lazily,
 * on the first event) so that a cold module transform runs in a `beforeAll`
 * with its own limit, not inside a test's waits.
 */
export async function warmHandlers(): Promise<void> {
  await Promise.all([
    import('../../functions/build-image/handler'),
    import('../../functions/deploy-services/handler'),
    import('../../functions/track-deployment/handler'),
    import('../../functions/snapshot-data/handler'),
    import('../../functions/track-backup/handler'),
  ]);
}

/** `--timeout` of a `--follow` in a test: the backstop, in seconds, so the CLI's own wait stays inside the test's jest limit. */
export const FOLLOW_TIMEOUT_S = String(SIGNAL_BACKSTOP_MS / 1000);
