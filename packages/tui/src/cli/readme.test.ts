import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { LBCTL_ERROR_CODES } from '../errors.js';
import { FakeDaemon, fakeDeps } from '../testing/fake-daemon.js';
import { EXIT, EXIT_CODES_HELP } from './exit-codes.js';
import { createProgram } from './program.js';

const readme = readFileSync(new URL('../../../../README.md', import.meta.url), 'utf8');
const section = readme.slice(readme.indexOf('\n## lbctl\n'), readme.indexOf('\n## lbctl top\n'));

describe("README's lbctl section", () => {
  it('documents every exit code and every lbctl error code', () => {
    expect(section.length).toBeGreaterThan(100);
    for (const code of Object.values(EXIT)) {
      expect(section).toMatch(new RegExp(`\\n\\| ${code} +\\|`));
      expect(EXIT_CODES_HELP).toMatch(new RegExp(`\\n {2}${code} `));
    }
    for (const code of Object.keys(LBCTL_ERROR_CODES)) expect(section).toContain(code);
  });

  it('lists every verb', () => {
    const program = createProgram(fakeDeps(new FakeDaemon([])).deps);
    for (const verb of program.commands.filter((c) => !c.name().startsWith('_'))) {
      expect(section, verb.name()).toContain(`\`${verb.name()}`);
    }
  });
});
