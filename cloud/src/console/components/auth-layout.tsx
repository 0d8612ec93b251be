import type { ComponentChildren, JSX } from 'preact';
import { Icon, Logo } from './icons.tsx';

/* The frame of the sign-in screens: the product on the left, the form on the right. */

export function AuthLayout(props: { title: string; subtitle?: ComponentChildren; children: ComponentChildren; footer?: ComponentChildren }): JSX.Element {
  return (
    <div class="auth">
      <aside class="auth-brand">
        <div class="auth-brand-top">
          <Logo size={36} />
          <span class="auth-brand-name">Tapline</span>
        </div>
        <div class="auth-brand-body">
          <h2>Cashless bars that keep trading when the internet doesn&rsquo;t.</h2>
          <ul>
            <li>
              <Icon name="live" /> Every bar&rsquo;s sales, live, as venues sync
            </li>
            <li>
              <Icon name="setup" /> Menus, prices, taxes and promotions per event
            </li>
            <li>
              <Icon name="audit" /> Every change on the record, two-factor sign-in
            </li>
          </ul>
        </div>
        <div class="auth-brand-foot">Head office console</div>
      </aside>
      <main class="auth-main">
        <div class="auth-card">
          <h1>{props.title}</h1>
          {props.subtitle ? <p class="auth-subtitle">{props.subtitle}</p> : null}
          {props.children}
        </div>
        {props.footer ? <div class="auth-footer">{props.footer}</div> : null}
      </main>
    </div>
  );
}
