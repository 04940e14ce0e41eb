// The dashboard store's public API; the implementation lives in ./dashboard/.
export type {
	Action,
	ComposeRow,
	CopySelection,
	DeclaredRow,
	DashboardDeps,
	DashboardState,
	DashboardStore,
	Focus,
	HostRow,
	HostStatus,
	LaunchForm,
	ListRow,
	LogView,
	Message,
	Mode,
	Phase,
	WorktreeRow,
} from './types.js';
export {declaredKey, formatUptime, hostKey, readinessLabel, hostStatusText, isLive, listRows, logWindow, selectedRow, statusText, worktreeKey} from './selectors.js';
export {splitCommand} from './command-line.js';
export {stripAnsi, type LogBuffer} from '../logs/buffer.js';
export type {DeclaredService} from '../supervise/declared.js';
export {createDashboardStore} from './create-store.js';
