import { readFileSync } from 'fs';
import * as path from 'path';
import { SMITHY_HTTP_PROTOCOL, staticEventStreams } from '../../../infra/bundling/static-event-streams';
import { PACKAGE_ROOT } from '../../../infra/props';

describe('staticEventStreams', () => {
  it.each([
    ['the dynamic import becomes a namespace import at the top',
      'async f() {\n  const { EventStreamSerde } = await import("@smithy/core/event-streams");\n}',
      'import * as __smithyEventStreams from "@smithy/core/event-streams";\nasync f() {\n  const { EventStreamSerde } = __smithyEventStreams;\n}'],
    ['a module without it is left as it is', 'export const x = await import("node:http");', 'export const x = await import("node:http");'],
  ])('%s', (_case, input, output) => {
    expect(staticEventStreams(input)).toBe(output);
  });

  it('finds the import in the installed @smithy/core, and only its HttpProtocol module is rewritten', () => {
    // The package's exports map hides dist-es from require.resolve; esbuild reaches it through the `module` field.
    const file = path.join(PACKAGE_ROOT, 'node_modules', '@smithy', 'core', 'dist-es', 'submodules', 'protocols', 'HttpProtocol.js');
    expect(SMITHY_HTTP_PROTOCOL.test(file)).toBe(true);
    const rewritten = staticEventStreams(readFileSync(file, 'utf8'));
    expect(rewritten.startsWith('import * as __smithyEventStreams from "@smithy/core/event-streams";\n')).toBe(true);
    expect(rewritten).not.toContain('import("@smithy/core/event-streams")');
    expect(SMITHY_HTTP_PROTOCOL.test(file.replace('HttpProtocol.js', 'RpcProtocol.js'))).toBe(false);
  });
});
