import {chmodSync, readFileSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {afterEach, describe, expect, it} from 'vitest';
import {openDetached} from '../source/core/lifecycle/browser.js';
import {runCleanups, tempDir} from './helpers/env.js';

const saved = {BROWSER: process.env['BROWSER'], PATH: process.env['PATH']};
afterEach(async () => {
	for (const [key, value] of Object.entries(saved)) {
		if (value === undefined) delete process.env[key];
		else process.env[key] = value;
	}
	await runCleanups();
});

describe("the dashboard's o (openDetached)", () => {
	it('follows $BROWSER like port open: candidates in order, a missing or failing one passes to the next, %s is the URL', async () => {
		const bin = tempDir('port-browser-bin-');
		const opened = path.join(tempDir('port-browser-out-'), 'opened.txt');
		const fake = (name: string, code: number) => {
			writeFileSync(path.join(bin, name), `#!/bin/sh\nprintf '%s' '${name}' >> '${opened}'\nfor a in "$@"; do printf ' [%s]' "$a" >> '${opened}'; done\necho >> '${opened}'\nexit ${code}\n`);
			chmodSync(path.join(bin, name), 0o755);
		};
		fake('failing', 3);
		fake('fakefox', 0);
		process.env['PATH'] = `${bin}${path.delimiter}${process.env['PATH']}`;
		process.env['BROWSER'] = 'no-such-browser-xyz:failing:fakefox --new-tab %s';
		await openDetached('http://app.port:3000');
		expect(readFileSync(opened, 'utf8')).toBe('failing [http://app.port:3000]\nfakefox [--new-tab] [http://app.port:3000]\n');
		process.env['BROWSER'] = 'no-such-browser-xyz:failing';
		await expect(openDetached('http://app.port:3000')).rejects.toThrow('BROWSER: no-such-browser-xyz not found; failing exited 3');
	});
});
