import {describe, expect, it} from 'vitest';
import type {Action} from '../../source/core/dashboard/store.js';
import {inputToActions, keyToAction, splitInput, type KeyContext, type KeyInfo} from '../../source/ui/keymap.js';

const normalList: KeyContext = {mode: 'normal', focus: 'list'};
const normalLogs: KeyContext = {mode: 'normal', focus: 'logs'};
const map = (input: string, key: KeyInfo, context: KeyContext) => keyToAction(input, key, context);

describe('keyToAction', () => {
	it.each<[string, KeyInfo, KeyContext, unknown]>([
		['', {downArrow: true}, normalList, {type: 'move', delta: 1}],
		['k', {}, normalList, {type: 'move', delta: -1}],
		['j', {}, normalList, {type: 'move', delta: 1}],
		['G', {}, normalList, {type: 'moveEdge', to: 'bottom'}],
		['/', {}, normalList, {type: 'openFilter'}],
		['', {tab: true}, normalList, {type: 'focusNext'}],
		['', {return: true}, normalList, {type: 'focusNext'}],
		['', {upArrow: true}, normalLogs, {type: 'scroll', delta: -1}],
		['j', {}, normalLogs, {type: 'scroll', delta: 1}],
		['', {pageUp: true}, normalLogs, {type: 'page', delta: -1}],
		['', {pageDown: true}, normalList, {type: 'page', delta: 1}],
		['', {end: true}, normalLogs, {type: 'scrollEdge', to: 'bottom'}],
		['g', {}, normalLogs, {type: 'scrollEdge', to: 'top'}],
		['/', {}, normalLogs, {type: 'openSearch'}],
		['n', {}, normalLogs, {type: 'searchNext', direction: -1}],
		['N', {}, normalLogs, {type: 'searchNext', direction: 1}],
		['a', {}, normalList, {type: 'openLaunch'}],
		['s', {}, normalLogs, {type: 'stop'}],
		['r', {}, normalList, {type: 'restart'}],
		['X', {shift: true}, normalList, {type: 'forceKill'}],
		['x', {}, normalList, undefined],
		['u', {}, normalList, {type: 'composeUp'}],
		['d', {}, normalList, {type: 'composeDown'}],
		['o', {}, normalList, {type: 'openUrl'}],
		['?', {}, normalList, {type: 'help'}],
		['q', {}, normalList, {type: 'quit'}],
		['c', {ctrl: true}, normalList, {type: 'interrupt'}],
		['', {escape: true, meta: true}, normalLogs, {type: 'cancel'}],
		['c', {}, normalList, {type: 'openCopy'}],
		['c', {}, normalLogs, {type: 'openCopy'}],
		['y', {}, normalList, {type: 'yankUrl'}],
		['A', {shift: true}, normalList, {type: 'startDeclared'}],
	])('normal mode: %j %j %j', (input, key, context, expected) => {
		expect(map(input, key, context)).toEqual(expected);
	});

	it('never turns typing into shortcuts in the launch form, filter or search', () => {
		for (const mode of ['launch', 'filter', 'search'] as const) {
			for (const letter of ['q', 's', 'r', 'X', 'a', 'u', 'd', 'o', '?', '/', 'j', 'k', 'n']) {
				expect(map(letter, {}, {mode, focus: 'list'})).toEqual({type: 'input', text: letter});
			}
			expect(map('', {return: true}, {mode, focus: 'logs'})).toEqual({type: 'submit'});
			expect(map('', {escape: true}, {mode, focus: 'logs'})).toEqual({type: 'cancel'});
			expect(map('c', {ctrl: true}, {mode, focus: 'logs'})).toEqual({type: 'cancel'});
			expect(map('', {delete: true}, {mode, focus: 'logs'})).toEqual({type: 'backspace'});
			expect(map('', {backspace: true}, {mode, focus: 'logs'})).toEqual({type: 'backspace'});
			expect(map('', {pageUp: true}, {mode, focus: 'logs'})).toBeUndefined();
		}
		expect(map('', {tab: true}, {mode: 'launch', focus: 'list'})).toEqual({type: 'nextField'});
		expect(map('', {downArrow: true}, {mode: 'filter', focus: 'list'})).toEqual({type: 'move', delta: 1});
		expect(map('npm run dev', {}, {mode: 'launch', focus: 'list'})).toEqual({type: 'input', text: 'npm run dev'});
	});

	it('quit dialog: stop, leave, cancel; Ctrl+C again stops', () => {
		const quit: KeyContext = {mode: 'quit', focus: 'list'};
		expect(map('s', {}, quit)).toEqual({type: 'quitChoice', choice: 'stop'});
		expect(map('l', {}, quit)).toEqual({type: 'quitChoice', choice: 'leave'});
		expect(map('c', {}, quit)).toEqual({type: 'quitChoice', choice: 'cancel'});
		expect(map('', {escape: true}, quit)).toEqual({type: 'quitChoice', choice: 'cancel'});
		expect(map('c', {ctrl: true}, quit)).toEqual({type: 'interrupt'});
		expect(map('q', {}, quit)).toBeUndefined();
	});

	it('help: closes on Esc or ?, q quits, other keys do nothing', () => {
		const help: KeyContext = {mode: 'help', focus: 'list'};
		expect(map('?', {}, help)).toEqual({type: 'help'});
		expect(map('', {escape: true}, help)).toEqual({type: 'help'});
		expect(map('q', {}, help)).toEqual({type: 'quit'});
		expect(map('s', {}, help)).toBeUndefined();
	});
});

describe('splitInput', () => {
	it('splits a chunk of typed text at Enter and Tab', () => {
		expect(splitInput('3000\rnode x\r', {})).toEqual([
			['3000', {}],
			['', {return: true}],
			['node x', {}],
			['', {return: true}],
		]);
		expect(splitInput('j', {})).toEqual([['j', {}]]);
		expect(splitInput('\r', {return: true})).toEqual([['\r', {return: true}]]);
	});
});

describe('inputToActions', () => {
	const run = (input: string, key: KeyInfo, start: KeyContext) => {
		let context = start;
		const actions: Action[] = [];
		inputToActions(input, key, () => context, action => {
			actions.push(action);
			if (action.type === 'openLaunch') context = {...context, mode: 'launch'};
		});
		return actions;
	};

	it('handles every key of a chunk, typing runs whole only into a text field', () => {
		expect(run('jj', {}, normalList)).toEqual([
			{type: 'move', delta: 1},
			{type: 'move', delta: 1},
		]);
		expect(run('\u007F\u007F', {}, {mode: 'launch', focus: 'list'})).toEqual([{type: 'backspace'}, {type: 'backspace'}]);
		expect(run('a3000\r', {}, normalList)).toEqual([{type: 'openLaunch'}, {type: 'input', text: '3000'}, {type: 'submit'}]);
		expect(run('k\u0003', {}, normalList)).toEqual([{type: 'move', delta: -1}, {type: 'interrupt'}]);
		expect(run('X', {shift: true}, normalList)).toEqual([{type: 'forceKill'}]);
		expect(run('', {upArrow: true}, normalList)).toEqual([{type: 'move', delta: -1}]);
	});
});

describe('copy mode keys', () => {
	const copy: KeyContext = {mode: 'copy', focus: 'logs'};
	it.each<[string, KeyInfo, unknown]>([
		['', {upArrow: true}, {type: 'copyMove', delta: -1}],
		['j', {}, {type: 'copyMove', delta: 1}],
		['', {pageDown: true}, {type: 'copyMove', delta: 10}],
		['G', {}, {type: 'copyMove', delta: Number.MAX_SAFE_INTEGER}],
		['v', {}, {type: 'copyMark'}],
		[' ', {}, {type: 'copyMark'}],
		['y', {}, {type: 'copyYank'}],
		['', {return: true}, {type: 'copyYank'}],
		['', {escape: true}, {type: 'cancel'}],
		['q', {}, {type: 'quit'}],
		['?', {}, {type: 'help'}],
		['s', {}, undefined],
	])('%j %j', (input, key, expected) => {
		expect(keyToAction(input, key, copy)).toEqual(expected);
	});

	it('the launch form: ↑↓ pick a declared service (typed letters stay text)', () => {
		const launch: KeyContext = {mode: 'launch', focus: 'list'};
		expect(keyToAction('', {downArrow: true}, launch)).toEqual({type: 'move', delta: 1});
		expect(keyToAction('A', {shift: true}, launch)).toEqual({type: 'input', text: 'A'});
	});
});
