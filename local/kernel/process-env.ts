/**
 * Sets variables in `process.env`; returns a function that puts the previous values back.
 *
 * @example
 * const restore = installEnv({ AWS_REGION: 'us-east-1' });
 * restore();
 */
export function installEnv(env: Readonly<Record<string, string>>): () => void {
  const previous = Object.fromEntries(Object.keys(env).map((key) => [key, process.env[key]]));
  Object.assign(process.env, env);
  return () => {
    for (const [key, value] of Object.entries(previous)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  };
}
