// The worktree's merged log on its own: prefixes, colours, partial lines of two services.
import {describe, expect, it} from 'vitest';
import {LogBuffer, stripAnsi} from '../../source/core/logs/buffer.js';
import {createMerger} from '../../source/core/dashboard/merged.js';

function setup() {
	const buffers = new Map<string, LogBuffer>();
	const bufferFor = (key: string) => buffers.get(key) ?? buffers.set(key, new LogBuffer(100)).get(key)!;
	const merger = createMerger('/repo', {web: {port: 3000, command: ['x']}, api: {port: 4000, command: ['y']}}, bufferFor);
	const lines = (key: string) => (buffers.get(key)?.slice(0, 100) ?? []).map(stripAnsi);
	// As the store does: a service's own buffer cleans and splits, its new lines join the merged view.
	const ingest = (key: string, text: string) => {
		if (merger.feed(key, text)) return true;
		const buffer = bufferFor(key);
		const before = buffer.total;
		buffer.append(text);
		const added = buffer.total - before;
		return added === 0 || merger.feedLines(key, buffer.slice(buffer.size - added, buffer.size));
	};
	return {merger, buffers, lines, ingest};
}

describe('merged worktree log', () => {
	it('prefixes each line with its service name (declared name, else :port), in arrival order', () => {
		const {merger, lines, ingest} = setup();
		expect(ingest('host:/repo:feat:3000', 'one\ntwo\n')).toBe(true);
		ingest('host:/repo:feat:4000', 'three\n');
		ingest('host:/repo:feat:5000', 'four\n');
		merger.feed('wt:feat', '$ compose up\n');
		expect(lines('wt:feat')).toEqual(['web     | one', 'web     | two', 'api     | three', ':5000   | four', 'compose | $ compose up']);
	});

	it('never joins half lines of two services; other repositories and compose rows are not merged', () => {
		const {merger, lines, buffers, ingest} = setup();
		ingest('host:/repo:feat:3000', 'hal');
		ingest('host:/repo:feat:4000', 'other\n');
		ingest('host:/repo:feat:3000', 'f\n');
		expect(lines('wt:feat')).toEqual(['api     | other', 'web     | half']);
		expect(merger.feedLines('host:/elsewhere:feat:3000', ['x'])).toBe(false);
		expect(merger.feed('compose:p:web:c1', 'x\n')).toBe(false);
		expect(merger.feedLines('compose:p:web:c1', ['x'])).toBe(false);
		expect([...buffers.keys()].filter(k => k.startsWith('wt:'))).toEqual(['wt:feat']);
	});

	it('colours each service differently', () => {
		const {ingest, buffers} = setup();
		ingest('host:/repo:a:3000', 'x\n');
		ingest('host:/repo:a:4000', 'y\n');
		const [web, api] = buffers.get('wt:a')!.slice(0, 2);
		expect(web!.slice(0, 5)).not.toEqual(api!.slice(0, 5));
		expect(web).toMatch(/^\u001B\[\d+m/);
	});
});
