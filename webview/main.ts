// Webview entry: load the components and styles, build the app, then — as the last step — tell
// the host we are ready (the host sends nothing before `webview/ready`).
import '@vscode-elements/elements/dist/vscode-badge/index.js';
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-collapsible/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-tab-header/index.js';
import '@vscode-elements/elements/dist/vscode-tab-panel/index.js';
import '@vscode-elements/elements/dist/vscode-tabs/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import '@vscode/codicons/dist/codicon.css';
import 'uplot/dist/uPlot.min.css';
import './styles.css';
import { PROTOCOL_VERSION } from '../src/shared/protocol';
import { App } from './app';
import { HostApi } from './hostApi';

const root = document.getElementById('root') ?? document.body.appendChild(document.createElement('main'));
const app = new App(root);
const api = new HostApi((msg) => app.handle(msg));
app.attach(api);
api.post({ type: 'webview/ready', protocolVersion: PROTOCOL_VERSION });
