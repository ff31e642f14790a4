// Runs the suites that deploy stacks into the local cloud first (the e2e, README, CLI and
// local-up suites, 20 to 90 s each: by their folder, or a call that deploys in the file), then the rest in jest's own order (failed first,
// then the longest by the last run's timings, else the largest file). On a fresh machine
// jest has no timings and would start by file size, so a long deploying suite could be
// the last one started and run alone while the other worker idles.
const { readFileSync } = require('node:fs');
const Sequencer = require('@jest/test-sequencer').default;

const DEPLOYING = [/\/test\/e2e\//, /\/test\/readme\//, /\/test\/cli\/demo\.test\.ts$/, /\/test\/local\/local-up\.test\.ts$/];
const DEPLOYS = /\b(deployedStack|startOperatorFixture|bootstrappedCloud|localUp)\(/;

class DeployingFirst extends Sequencer {
  sort(tests) {
    const ordered = super.sort(tests);
    const deploying = (test) => DEPLOYING.some((pattern) => pattern.test(test.path)) || DEPLOYS.test(readFileSync(test.path, 'utf8'));
    return [...ordered.filter(deploying), ...ordered.filter((test) => !deploying(test))];
  }
}

module.exports = DeployingFirst;
