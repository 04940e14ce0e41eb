import {Box, Text} from 'ink';
import type {DashboardState} from '../../core/dashboard/store.js';

function traefikLabel(state: DashboardState['traefik']): {text: string; color: string} {
	switch (state.state) {
		case 'running':
			return {text: 'Traefik running', color: 'green'};
		case 'stopped':
			return {text: 'Traefik stopped', color: 'yellow'};
		case 'unavailable':
			return {text: 'Docker unavailable', color: 'red'};
		default:
			return {text: 'Traefik …', color: 'gray'};
	}
}

/** One line: repository, domain, Traefik state. */
export function Header({state, width}: {state: DashboardState; width: number}) {
	const traefik = traefikLabel(state.traefik);
	return (
		<Box width={width} height={1}>
			<Text wrap="truncate-end">
				<Text bold color="cyan">port ui</Text>
				<Text>  {state.repoName}</Text>
				<Text dimColor> ({state.repoRoot})</Text>
				<Text>  domain </Text>
				<Text bold>{state.domain}</Text>
				<Text>  </Text>
				<Text color={traefik.color}>● {traefik.text}</Text>
			</Text>
		</Box>
	);
}
