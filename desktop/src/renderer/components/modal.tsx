import type { ComponentChildren } from 'preact';
import { IconX } from './icons.tsx';

interface ModalProps {
  title: string;
  subtitle?: string;
  onClose?: () => void;
  testid: string;
  children: ComponentChildren;
  wide?: boolean;
}

/** A dialog over the current screen; touching outside does nothing (a stray elbow must not cancel a void). */
export function Modal({ title, subtitle, onClose, testid, children, wide }: ModalProps) {
  return (
    <div class="scrim" role="presentation">
      <div class={`modal${wide ? ' modal-wide' : ''}`} role="dialog" aria-modal="true" aria-label={title} data-testid={testid}>
        <header class="modal-head">
          <div>
            <h2 class="modal-title">{title}</h2>
            {subtitle && <p class="modal-subtitle">{subtitle}</p>}
          </div>
          {onClose && (
            <button type="button" class="icon-button" onClick={onClose} aria-label="Close" data-testid={`${testid}-close`}>
              <IconX size={28} />
            </button>
          )}
        </header>
        <div class="modal-body">{children}</div>
      </div>
    </div>
  );
}
