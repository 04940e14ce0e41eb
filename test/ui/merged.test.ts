// The worktree's merged log on its own: prefixes, colours, partial lines of two services.
import {describe, expect, it} from 'vitest';
import {LogBuffer, stripAnsi} from '../../source/core/logs/buffer.js';
import {createMerger} from '../../source/core/dashboard/merged.js';

function setup() {
	const buffers = new Map<string, LogBuffer>();
	const bufferFor = (key: string) => buffers.get(key) ?? buffers.set(key, new LogBuffer(100)).get(key)!;
	const merger = createMerger('/repo', {web: {port: 3000, command: ['x']}, api: {port: 4000, command: ['y']}}, bufferFor);
	const lines = (key: string) => (buffers.get(key)?.slice(0, 100) ?? []).map(stripAnsi);
	return {merger, buffers, lines};
}

describe('merged worktree log', () => {
	it('prefixes each line with its service name (declared name, else :port), in arrival order', () => {
		const {merger, lines} = setup();
		expect(merger.feed('host:/repo:feat:3000', 'one\ntwo\n')).toBe(true);
		merger.feed('host:/repo:feat:4000', 'three\n');
		merger.feed('host:/repo:feat:5000', 'four\n');
		merger.feed('wt:feat', '$ compose up\n');
		expect(lines('wt:feat')).toEqual(['web     | one', 'web     | two', 'api     | three', ':5000   | four', 'compose | $ compose up']);
	});

	it('never joins half lines of two services; other repositories and compose rows are not merged', () => {
		const {merger, lines, buffers} = setup();
		merger.feed('host:/repo:feat:3000', 'hal');
		merger.feed('host:/repo:feat:4000', 'other\n');
		merger.feed('host:/repo:feat:3000', 'f\n');
		expect(lines('wt:feat')).toEqual(['api     | other', 'web     | half']);
		expect(merger.feed('host:/elsewhere:feat:3000', 'x\n')).toBe(false);
		expect(merger.feed('compose:p:web:c1', 'x\n')).toBe(false);
		expect([...buffers.keys()]).toEqual(['wt:feat']);
	});

	it('colours each service differently', () => {
		const {merger, buffers} = setup();
		merger.feed('host:/repo:a:3000', 'x\n');
		merger.feed('host:/repo:a:4000', 'y\n');
		const [web, api] = buffers.get('wt:a')!.slice(0, 2);
		expect(web!.slice(0, 5)).not.toEqual(api!.slice(0, 5));
		expect(web).toMatch(/^\u001B\[\d+m/);
	});
});
