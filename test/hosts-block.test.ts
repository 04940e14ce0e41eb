import {describe, expect, it} from 'vitest';
import {blockNames, hasBlock, removeBlock, renderBlock, withBlock} from '../source/core/dns/hosts-block.js';
import {rcMarkers} from '../source/core/dns/rc-hook.js';

describe('the managed hosts block', () => {
	const originals = ['', '127.0.0.1 localhost\n', '127.0.0.1 localhost', '# only a comment\n\n', '127.0.0.1 localhost\r\n::1 localhost\r\n'];

	it('comes out byte for byte as it went in, whatever the file ended with', () => {
		for (const original of originals) {
			const {text, addedNewline} = withBlock(original, renderBlock(['b.port', 'a.port']));
			expect(hasBlock(text)).toBe(true);
			expect(blockNames(text)).toEqual(['a.port', 'b.port']);
			expect(removeBlock(text, addedNewline)).toBe(original);
		}
	});

	it('is replaced in place, keeping lines the user added after it', () => {
		const first = withBlock('127.0.0.1 localhost', renderBlock(['a.port']));
		const edited = `${first.text}10.0.0.1 printer\n`;
		const second = withBlock(edited, renderBlock(['a.port', 'c.port']));
		expect(second.addedNewline).toBe(false);
		expect(second.text).toBe(`127.0.0.1 localhost\n${renderBlock(['a.port', 'c.port'])}10.0.0.1 printer\n`);
		expect(removeBlock(second.text, first.addedNewline)).toBe('127.0.0.1 localhost\n10.0.0.1 printer\n');
	});

	it('is found only between its own markers', () => {
		const rc = withBlock('alias ll="ls -l"\n', `${rcMarkers.start}\neval "$(port shell-hook bash)"\n${rcMarkers.end}\n`, rcMarkers);
		expect(hasBlock(rc.text)).toBe(false);
		const both = withBlock(rc.text, renderBlock(['x.port']));
		expect(removeBlock(removeBlock(both.text, both.addedNewline, rcMarkers), both.addedNewline)).toBe('alias ll="ls -l"\n');
	});
});
