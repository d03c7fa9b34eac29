import 'uplot/dist/uPlot.min.css';
import './style.css';
import { html } from 'htm/preact';
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { onSignInNeeded } from './api.js';
import { useLiveState } from './live.js';
import { EnrolPage } from './pages/enrol.js';
import { EventsPage } from './pages/events.js';
import { NetworkPage } from './pages/network.js';
import { NodePage } from './pages/node.js';
import { OverviewPage } from './pages/overview.js';
import { PulsePage } from './pages/pulse.js';
import { RulesPage } from './pages/rules.js';
import { SignInPage } from './pages/signin.js';
import { SimulatorPage } from './pages/simulator.js';

/** Hash routes: #/, #/node/<id>, #/events, … One page = one file in pages/. */
const NAV: [string, string][] = [
  ['#/', 'Overview'],
  ['#/events', 'Events'],
  ['#/rules', 'Rules & effects'],
  ['#/pulse', 'Pulse'],
  ['#/enrol', 'Enrol'],
  ['#/network', 'Peers & time'],
  ['#/simulator', 'Simulator'],
];

function route(hash: string) {
  const [, page = '', arg = ''] = (hash || '#/').split('/');
  switch (page) {
    case 'node':
      return html`<${NodePage} id=${decodeURIComponent(arg)} />`;
    case 'events':
      return html`<${EventsPage} />`;
    case 'rules':
      return html`<${RulesPage} />`;
    case 'pulse':
      return html`<${PulsePage} />`;
    case 'enrol':
      return html`<${EnrolPage} />`;
    case 'network':
      return html`<${NetworkPage} />`;
    case 'simulator':
      return html`<${SimulatorPage} />`;
    default:
      return html`<${OverviewPage} />`;
  }
}

function App() {
  const [hash, setHash] = useState(location.hash);
  const [signIn, setSignIn] = useState(false);
  const live = useLiveState();
  useEffect(() => {
    const onHash = () => setHash(location.hash);
    window.addEventListener('hashchange', onHash);
    const off = onSignInNeeded(() => setSignIn(true));
    return () => {
      window.removeEventListener('hashchange', onHash);
      off();
    };
  }, []);
  const current = `#/${(hash || '#/').split('/')[1] ?? ''}`;
  return html`
    <header>
      <a class="brand" href="#/">Fazt</a>
      <nav>${NAV.map(([href, label]) => html`<a href=${href} class=${current === href ? 'active' : ''}>${label}</a>`)}</nav>
      <span class=${live ? 'live up' : 'live'} title="live event stream">${live ? 'live' : 'offline'}</span>
    </header>
    <section class="page">${signIn ? html`<${SignInPage} done=${() => setSignIn(false)} />` : route(hash)}</section>
  `;
}

const root = document.getElementById('app');
if (root) {
  root.textContent = '';
  render(html`<${App} />`, root);
}
