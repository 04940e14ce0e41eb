import {describe, expect, it} from 'vitest';
import {parseConfig} from '../source/core/git/config.js';

const parse = (value: unknown) => parseConfig(JSON.stringify(value), 'config.jsonc');
const problem = (value: unknown) => {
	try {
		parse(value);
	} catch (error) {
		return (error as Error).message;
	}
	return undefined;
};

describe('config: services and readyGrace', () => {
	it('reads declared services: a plain string is split into words, shell syntax runs under sh -c', () => {
		const config = parseConfig(
			`{
  // comments are fine
  "readyGrace": 2.5,
  "services": {
    "web": {"port": 3000, "command": "npm run dev -- --open 'a b'", "cwd": "apps/web"},
    "api": {"port": 4000, "command": ["go", "run", "."], "env": {"LOG": "debug"}, "readyGrace": 30},
    "worker": {"port": 4001, "command": "npm run build && npm start"},
  },
}`,
			'config.jsonc',
		);
		expect(config.readyGrace).toBe(2.5);
		expect(config.services).toEqual({
			web: {port: 3000, command: ['npm', 'run', 'dev', '--', '--open', 'a b'], cwd: 'apps/web'},
			api: {port: 4000, command: ['go', 'run', '.'], env: {LOG: 'debug'}, readyGrace: 30},
			worker: {port: 4001, command: ['sh', '-c', 'npm run build && npm start']},
		});
	});

	it.each([
		[{services: []}, 'config.jsonc: "services" must be an object'],
		[{services: {'we b': {port: 1, command: 'x'}}}, 'config.jsonc: service name "we b" is invalid: use letters, digits, - and _'],
		[{services: {'3000': {port: 1, command: 'x'}}}, 'config.jsonc: service name "3000" is invalid: a name cannot be all digits'],
		[{services: {web: 'npm run dev'}}, 'config.jsonc: services.web must be an object with "port" and "command"'],
		[{services: {web: {command: 'x'}}}, 'config.jsonc: services.web: "port" is missing'],
		[{services: {web: {port: 70000, command: 'x'}}}, 'config.jsonc: services.web: "port" must be an integer from 1 to 65535, got 70000'],
		[{services: {web: {port: '3000', command: 'x'}}}, 'config.jsonc: services.web: "port" must be an integer from 1 to 65535, got "3000"'],
		[{services: {web: {port: 3000}}}, 'config.jsonc: services.web: "command" is missing'],
		[{services: {web: {port: 3000, command: []}}}, 'config.jsonc: services.web: "command" must be a non-empty string or array of strings'],
		[{services: {web: {port: 3000, command: '  '}}}, 'config.jsonc: services.web: "command" must be a non-empty string or array of strings'],
		[{services: {web: {port: 3000, command: 'x'}, api: {port: 3000, command: 'y'}}}, 'config.jsonc: services.api: port 3000 is already used by services.web'],
		[{services: {web: {port: 3000, command: 'x', env: {A: 1}}}}, 'config.jsonc: services.web: "env" must be an object of strings'],
		[{services: {web: {port: 3000, command: 'x', cmd: 'y'}}}, 'config.jsonc: services.web: unknown key "cmd"'],
		[{services: {web: {port: 3000, command: 'echo "open'}}}, 'config.jsonc: services.web: "command": Unclosed " quote'],
		[{readyGrace: 0}, 'config.jsonc: "readyGrace" must be a number of seconds'],
		[{readyGrace: '10s'}, 'config.jsonc: "readyGrace" must be a number of seconds'],
	])('%j is rejected: %s', (value, message) => {
		expect(problem(value)).toContain(message);
	});
});
