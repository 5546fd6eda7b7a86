// The dashboard's entry: routes on the URL fragment (#/, #/events, #/certificates,
// #/target/ID, #/certificate/FP), asks for the token when the API says 401, and keeps the
// overview (the summary and the first pages) loaded once per visit until "reload".
import { ApiError, forgetToken, keepToken, loadOverview, type Overview, storedToken } from './api.ts';
import { renderCertificates } from './certificates.ts';
import { renderCertificate, renderTarget } from './details.ts';
import { h, moment, replace, text } from './dom.ts';
import { renderEvents } from './events.ts';
import { defaultFilters, renderInventory } from './inventory.ts';

const view = document.getElementById('view') as HTMLElement;
const status = document.getElementById('loaded') as HTMLElement;
const filters = defaultFilters();
let overview: Overview | undefined;

function parts(): string[] {
  return location.hash
    .replace(/^#\/?/, '')
    .split('/')
    .filter(Boolean)
    .map((p) => {
      try {
        return decodeURIComponent(p);
      } catch {
        return '';
      }
    });
}

function tokenForm(message: string): void {
  const input = h('input', {
    type: 'password',
    name: 'token',
    autocomplete: 'off',
    required: true,
    'aria-label': 'token',
    maxlength: 512,
  });
  const form = h(
    'form',
    { class: 'token-form' },
    h('h2', {}, 'Token'),
    h('p', {}, text(message, 400)),
    h('p', {}, 'Paste the token local mode printed at start (CERTVIGIL_LOCAL_TOKEN). It is kept for this tab only.'),
    input,
    h('button', { type: 'submit' }, 'Open the dashboard'),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    keepToken(input.value.trim());
    void show(true);
  });
  replace(view, form);
  input.focus();
}

async function show(reload = false): Promise<void> {
  const [page, arg] = parts();
  view.setAttribute('aria-busy', 'true');
  try {
    if (reload || !overview) {
      overview = await loadOverview();
      performance.mark('certvigil-loaded');
      replace(status, `loaded ${moment(new Date(overview.loadedAt).toISOString())}`);
    }
    if (page === 'target' && arg) await renderTarget(view, arg);
    else if (page === 'certificate' && arg) await renderCertificate(view, arg);
    else if (page === 'certificates') await renderCertificates(view);
    else if (page === 'events') await renderEvents(view);
    else renderInventory(view, overview, filters);
    for (const a of document.querySelectorAll('nav a')) {
      a.setAttribute('aria-current', String(a.getAttribute('href') === `#/${page ?? ''}`));
    }
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      const had = storedToken() !== null;
      forgetToken();
      overview = undefined;
      tokenForm(had ? 'That token was refused.' : error.message);
    } else {
      replace(view, h('p', { class: 'error', role: 'alert' }, text((error as Error).message, 400)));
    }
  } finally {
    // For profiling (and bench/dashboard-render.ts): when the data arrived, when the view stood.
    performance.mark('certvigil-rendered');
    // The frame that shows it has been painted once the task after the next animation frame runs.
    requestAnimationFrame(() => setTimeout(() => performance.mark('certvigil-painted')));
    view.removeAttribute('aria-busy');
    document.body.dataset.ready = 'true';
  }
}

document.getElementById('reload')?.addEventListener('click', () => void show(true));
window.addEventListener('hashchange', () => {
  void show();
  window.scrollTo(0, 0);
});
void show();
