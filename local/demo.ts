import { mkdir, rm } from 'node:fs/promises';
import { createReadStream } from 'node:fs';
import { join, resolve } from 'node:path';
import { OciLayoutRepository, validateImage } from '../shared/oci';
import { buildConfigImage } from '../shared/pipeline/build-config';
import type { BuildConfigOutcome } from '../shared/pipeline/build-config';
import { writeStandInBase } from './stand-in-base';
import { packTarGz } from './pack';

/** Where the demo writes, relative to the repository. */
export const DEMO_DIR = '.demo';

/** What the demo proved, printed as the last line with `--json`. */
export interface DemoSummary {
  readonly configHash: string;
  readonly image: string;
  readonly digest: string;
  readonly tag: string;
  readonly rebuildSkipped: boolean;
  readonly archiveDigestMatches: boolean;
  readonly validationProblems: number;
}

/**
 * The offline demo: validate the example configuration, build the private
 * portal-api image onto a stand-in base into an OCI layout, validate every
 * digest and size, rebuild (nothing uploaded), and build the same files from
 * a .tar.gz (same digest).
 */
export async function runDemo(root: string, log: (line: string) => void, work: string = resolve(root, DEMO_DIR)): Promise<DemoSummary> {
  await rm(work, { recursive: true, force: true });
  await mkdir(work, { recursive: true });
  const config = join(root, 'examples', 'static');
  const base = await OciLayoutRepository.open(join(work, 'base'));
  const target = await OciLayoutRepository.open(join(work, 'portal-api'));
  const { reference } = await writeStandInBase(base);
  log(`stand-in wicked base image written to ${base.name}:${reference}`);

  const image = { base: { repository: base, reference }, target };
  const first = built(await buildConfigImage({ source: { path: config }, image }));
  log(`validated ${config} for ${first.report.environments.join(', ')}; configuration hash ${first.report.configHash}`);
  log(`built ${first.result.imageRef} (tag ${first.result.tag}): ${first.result.uploadedBlobs} blobs, ${first.result.uploadedBytes} bytes written`);
  const problems = await validateImage(target, first.result.tag);
  log(`image check: ${problems.length === 0 ? 'every digest and size matches the manifest' : problems.map((p) => p.message).join('; ')}`);

  const again = built(await buildConfigImage({ source: { path: config }, image }));
  log(`rebuild: ${again.result.skipped ? `tag already present, nothing written (${again.result.uploadedBlobs} blobs)` : 'UNEXPECTED: wrote again'}`);

  const archive = join(work, 'static.tgz');
  await packTarGz(config, archive);
  const fromArchive = built(await buildConfigImage({ source: { stream: createReadStream(archive), name: 'static.tgz' }, image }));
  log(`same files as a .tar.gz: digest ${fromArchive.result.digest === first.result.digest ? 'identical' : 'DIFFERENT'}`);
  return {
    configHash: first.report.configHash,
    image: first.result.imageRef,
    digest: first.result.digest,
    tag: first.result.tag,
    rebuildSkipped: again.result.skipped,
    archiveDigestMatches: fromArchive.result.digest === first.result.digest,
    validationProblems: problems.length,
  };
}

function built(outcome: BuildConfigOutcome): Extract<BuildConfigOutcome, { kind: 'built' }> {
  if (outcome.kind === 'built') return outcome;
  const issues = outcome.report.issues.map((issue) => `${issue.file}: ${issue.code}: ${issue.message}`).join('\n');
  throw new Error(`the example configuration was rejected (${outcome.reason}):\n${issues}`);
}
