// Obscura's own first-party window for a widget host (see connect-window.ts).
import '../../app/theme.css';
import { ConnectWindow } from './connect-window';

const claimed = new URLSearchParams(location.search).get('host');
let host: string | undefined;
try {
  host = claimed && new URL(claimed).origin === claimed ? claimed : undefined;
} catch {
  host = undefined;
}
document.body.append(new ConnectWindow(host));
document.documentElement.dataset['ready'] = 'true';
