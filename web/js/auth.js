// Sign-in: the local stage's dev-token form, or Cognito's hosted UI (code flow with PKCE)
// configured from config.json (written by infra/deploy.sh from the stacks' outputs).
import { getConfig, post, session } from './api.js';
import { h, mount, notice, field } from './ui.js';

export async function signInScreen() {
  const cfg = getConfig();
  const out = h('div', { 'aria-live': 'polite' });
  const signOut = session.claims ? h('p', {}, `Signed in as ${session.claims.email || session.claims.sub}. `,
    h('button', { class: 'secondary', type: 'button', onclick: () => { session.clear(); location.hash = '#/'; } }, 'Sign out')) : null;
  if (cfg.auth && cfg.auth.mode === 'cognito') {
    mount(h('h1', {}, 'Sign in'), signOut,
      h('button', { type: 'button', onclick: startCognitoSignIn }, 'Sign in with your account'), out);
    return;
  }
  const sub = h('input', { name: 'sub', required: true, value: 'demo-customer', autocomplete: 'username' });
  const email = h('input', { name: 'email', type: 'email', value: 'customer@example.com' });
  const organizer = h('input', { type: 'checkbox', name: 'organizer' });
  const tenant = h('input', { name: 'tenant_id', value: 'demo-tenant' });
  const form = h('form', { class: 'grid', 'aria-label': 'Dev token sign-in', onsubmit: async (e) => {
    e.preventDefault();
    const roles = organizer.checked ? ['customer', 'organizer'] : ['customer'];
    try {
      const body = { sub: sub.value, email: email.value || undefined, roles };
      if (organizer.checked) body.tenant_id = tenant.value;
      const r = await post('/dev/token', body, { auth: false });
      session.set(r.token);
      const back = sessionStorage.getItem('after-signin') || '#/';
      sessionStorage.removeItem('after-signin');
      location.hash = back;
    } catch (err) { out.replaceChildren(notice(err.message, 'bad')); }
  } },
  field('User id', sub), field('Email', email),
  h('label', { class: 'inline' }, organizer, 'Organizer'), field('Tenant', tenant),
  h('button', { type: 'submit' }, 'Get a dev token'));
  mount(h('h1', {}, 'Sign in'), signOut,
    h('p', { class: 'muted' }, 'Local stage: tokens come from POST /dev/token (absent on deployed stages).'), form, out);
}

export function requireSignIn() {
  if (session.claims) return true;
  sessionStorage.setItem('after-signin', location.hash);
  mount(h('h1', {}, 'Please sign in'), h('p', {}, h('a', { href: '#/signin' }, 'Sign in'), ' to continue.'));
  return false;
}

const b64url = (bytes) => btoa(String.fromCharCode(...new Uint8Array(bytes)))
  .replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');

async function startCognitoSignIn() {
  const { auth } = getConfig();
  const verifier = b64url(crypto.getRandomValues(new Uint8Array(32)));
  const state = b64url(crypto.getRandomValues(new Uint8Array(16)));
  const challenge = b64url(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier)));
  sessionStorage.setItem('pkce', JSON.stringify({ verifier, state, back: sessionStorage.getItem('after-signin') || '#/' }));
  const p = new URLSearchParams({ response_type: 'code', client_id: auth.client_id, redirect_uri: auth.redirect_uri,
    scope: auth.scope || 'openid email profile', state, code_challenge: challenge, code_challenge_method: 'S256' });
  location.assign(`${auth.domain}/oauth2/authorize?${p}`);
}

export async function finishCognitoSignIn() {
  const params = new URLSearchParams(location.search);
  const code = params.get('code');
  const pkce = JSON.parse(sessionStorage.getItem('pkce') || 'null');
  const { auth } = getConfig();
  if (!code || !pkce || !auth || auth.mode !== 'cognito') return;
  sessionStorage.removeItem('pkce');
  history.replaceState(null, '', location.pathname);
  if (params.get('state') !== pkce.state) return;
  const res = await fetch(`${auth.domain}/oauth2/token`, { method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'authorization_code', client_id: auth.client_id, code,
      redirect_uri: auth.redirect_uri, code_verifier: pkce.verifier }) });
  if (res.ok) {
    session.set((await res.json()).id_token);  // API Gateway's Cognito authorizer reads ID tokens
    location.hash = pkce.back;
  }
}
