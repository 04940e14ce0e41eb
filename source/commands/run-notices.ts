import {syncHosts} from '../core/dns/hosts-sync.js';
import {routedUrlProblem} from '../core/dns/honest.js';
import {lanNotice} from '../core/traefik/exposure.js';
import type {Launched as HostLaunch} from '../core/supervise/launch.js';
import {warn} from '../core/warnings.js';

/** What a `port run` (one service, or every declared one) launched, for its notices. */
export interface Launched {
	hostname: string;
	logicalPorts: number[];
	/** Direct URLs (http://localhost:<actual port>): what works when routing does not. */
	direct: string[];
	traefik: HostLaunch['traefik'];
	lan: boolean | undefined;
}

/**
 * The notices after a launch, the same for `port run` and `port run` with no arguments: the
 * hostname into a hosts-mode install's block, then routing off (Traefik unavailable), or the
 * `lan` exposure and why the routed URL does not work now (readme: "Honest URLs").
 */
export function afterLaunch(launched: Launched, say: (message: string) => void): void {
	const {hostname, logicalPorts, traefik} = launched;
	const direct = launched.direct.join(', ');
	syncHosts({add: [hostname]});
	if (traefik.state === 'unavailable') {
		warn(`${traefik.reason} Routing is off until Traefik runs; use ${direct}.`);
		return;
	}
	if (launched.lan) say(lanNotice(logicalPorts));
	void routedUrlProblem(hostname, traefik).then(why => why && say(`note: ${why}; use ${direct}`));
}
