import {existsSync, readFileSync, statSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {launchHostService} from '../../source/core/supervise/launch.js';
import {detectProject} from '../../source/core/git/project.js';
import {followFile} from '../../source/core/logs/follow.js';
import {fakeDocker, makeRepo, pathWith, runCleanups, tempDir, waitFor} from '../helpers/env.js';

// Dashboard-owned services (output: 'file') write through a detached relay that outlives the
// dashboard and rotates the log by rename at the cap.
beforeEach(() => {
	process.env['PORT_HOME'] = tempDir('port-ui-cap-');
	process.env['PATH'] = pathWith(fakeDocker().bin);
	process.env['PORT_LOG_MAX_BYTES'] = '20000';
});
afterEach(async () => {
	delete process.env['PORT_LOG_MAX_BYTES'];
	await runCleanups();
});

describe('file-mode log cap', () => {
	it('keeps one generation under the cap while the child floods, and removes both at the end', async () => {
		const repo = makeRepo();
		const {service, supervised} = await launchHostService({
			project: detectProject(repo)!,
			logicalPort: 3000,
			command: ['sh', '-c', 'i=0; while [ $i -lt 4000 ]; do echo "line $i of the flood.........................."; i=$((i+1)); done; sleep 60'],
			cwd: repo,
			owner: 'ui',
			output: 'file',
		});
		try {
			// (The file is briefly missing while it is renamed and opened again.)
			await waitFor(() => existsSync(`${service.logFile}.1`) && (statSync(service.logFile, {throwIfNoEntry: false})?.size ?? Infinity) < 20_000 + 60_000, {timeout: 8000, what: 'rotated copy'});
			expect(statSync(`${service.logFile}.1`).size).toBeGreaterThan(20_000);
		} finally {
			await supervised.stop(500);
		}
		expect(existsSync(service.logFile)).toBe(false);
		expect(existsSync(`${service.logFile}.1`)).toBe(false);
	});

	it('loses no line while rotating under a steady flood: the two generations join without a gap', async () => {
		const repo = makeRepo();
		const writer = path.join(tempDir('port-ui-cap-script-'), 'flood.cjs');
		// About 4 MB/s for 3 s, so rotations happen while it writes; then the count.
		writeFileSync(writer, `let i = 0;\nconst end = Date.now() + 3000;\nfunction pump() {\n\twhile (Date.now() < end) {\n\t\tlet out = '';\n\t\tfor (let n = 0; n < 100; n++) out += 'line ' + i++ + ' ' + '.'.repeat(40) + '\\n';\n\t\tif (!process.stdout.write(out)) return process.stdout.once('drain', pump);\n\t\tif (i % 100 === 0) return setTimeout(pump, 1);\n\t}\n\tprocess.stdout.write('done ' + i + '\\n');\n\tsetInterval(() => {}, 1000);\n}\npump();\n`);
		const {service, supervised} = await launchHostService({project: detectProject(repo)!, logicalPort: 3000, command: [process.execPath, writer], cwd: repo, owner: 'ui', output: 'file'});
		// (The file is briefly missing while it is renamed and opened again.)
		const text = (file: string) => {
			try {
				return readFileSync(file, 'utf8');
			} catch {
				return '';
			}
		};
		const read = (file: string) => text(file).split('\n');
		try {
			// The chunk that ends with `done` may itself trigger a rotation: look in both generations.
			const last = await waitFor(() => /^done (\d+)$/m.exec(text(service.logFile) + text(`${service.logFile}.1`))?.[1], {timeout: 60_000, what: 'the writer done'});
			const lines = [...read(`${service.logFile}.1`), ...read(service.logFile)].filter(l => l.startsWith('line '));
			const numbers = lines.map(l => Number(l.split(' ')[1]));
			expect(numbers.length).toBeGreaterThan(100);
			const gaps = numbers.filter((n, k) => k > 0 && n !== numbers[k - 1]! + 1);
			expect(gaps).toEqual([]);
			expect(numbers.at(-1)).toBe(Number(last) - 1);
		} finally {
			await supervised.stop(500);
		}
	});

	it('loses no line while rotating under continuous writes: the files and a follower see every one', async () => {
		const repo = makeRepo();
		const total = 6000;
		const writer = path.join(tempDir('port-ui-cap-script-'), 'count.cjs');
		// A steady stream (not one burst) for about 3 s, so rotations happen while it writes.
		writeFileSync(writer, `let i = 0;\nconst timer = setInterval(() => {\n\tlet out = '';\n\tfor (let n = 0; n < 20 && i < ${total}; n++) out += 'line ' + i++ + ' ' + '.'.repeat(40) + '\\n';\n\tprocess.stdout.write(out);\n\tif (i >= ${total}) { clearInterval(timer); setInterval(() => {}, 1000); }\n}, 10);\n`);
		const {service, supervised} = await launchHostService({project: detectProject(repo)!, logicalPort: 3000, command: [process.execPath, writer], cwd: repo, owner: 'ui', output: 'file'});
		const followed: string[] = [];
		let partial = '';
		const follower = followFile(service.logFile, text => {
			const parts = (partial + text).split('\n');
			partial = parts.pop()!;
			followed.push(...parts);
		}, {interval: 20});
		const numbers = (lines: string[]) => lines.filter(l => l.startsWith('line ')).map(l => Number(l.split(' ')[1]));
		try {
			await waitFor(() => numbers(followed).at(-1) === total - 1, {timeout: 20_000, what: 'the last line followed'});
			// The two generations on disk join without a gap and end with the last line.
			const onDisk = numbers([...readFileSync(`${service.logFile}.1`, 'utf8').split('\n'), ...readFileSync(service.logFile, 'utf8').split('\n')]);
			expect(onDisk.length).toBeGreaterThan(100);
			expect(onDisk).toEqual(onDisk.map((_, k) => total - onDisk.length + k));
			// The follower (reading across every rotation) saw each line once, in order.
			expect(numbers(followed)).toEqual(Array.from({length: total}, (_, k) => k));
		} finally {
			follower.stop();
			await supervised.stop(500);
		}
	});
});
