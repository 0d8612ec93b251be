import type { JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError } from '../api.ts';
import type { AddMemberResponse, Role, TeamMember, TeamResponse } from '../api-types.ts';
import { type Column, DataTable } from '../components/data-table.tsx';
import { Icon } from '../components/icons.tsx';
import { Badge, Card, ConfirmDialog, CopyButton, Dialog, EmptyState, Notice, PageHeader, Skeleton } from '../components/ui.tsx';
import { useConsole } from '../context.ts';
import { formatAgo, formatDate, initials } from '../format.ts';

const ROLE_TEXT: Record<Role, { label: string; what: string }> = {
  owner: { label: 'Owner', what: 'Everything, including the team and who can do what.' },
  manager: { label: 'Manager', what: 'Sets up events and devices, voids and refunds, exports.' },
  viewer: { label: 'Viewer', what: 'Sees sales, tabs and the audit log; changes nothing.' },
};

function AddMemberDialog(props: { onClose: () => void; onAdded: (r: AddMemberResponse) => void }): JSX.Element {
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<Role>('manager');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      props.onAdded(await api.post<AddMemberResponse>('/v1/console/team', { name, email, role }));
    } catch (err) {
      setError(err instanceof ApiError ? err.message : 'Could not add this person; try again.');
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dialog
      title="Add a team member"
      onClose={props.onClose}
      footer={
        <>
          <button type="button" class="button button-secondary" onClick={props.onClose}>
            Cancel
          </button>
          <button type="submit" form="add-member" class="button button-primary" disabled={busy || !name || !email}>
            {busy ? 'Adding…' : 'Add member'}
          </button>
        </>
      }
    >
      {error ? <Notice tone="error">{error}</Notice> : null}
      <form id="add-member" class="form" onSubmit={submit}>
        <label class="field">
          <span class="field-label">Name</span>
          <input name="name" autoFocus value={name} onInput={(e) => setName(e.currentTarget.value)} />
        </label>
        <label class="field">
          <span class="field-label">E-mail</span>
          <input name="email" type="email" value={email} onInput={(e) => setEmail(e.currentTarget.value)} />
        </label>
        <fieldset class="field">
          <legend class="field-label">Role</legend>
          <div class="role-options">
            {(Object.keys(ROLE_TEXT) as Role[]).map((r) => (
              <label key={r} class={`role-option${role === r ? ' selected' : ''}`}>
                <input type="radio" name="role" value={r} checked={role === r} onChange={() => setRole(r)} />
                <span>
                  <strong>{ROLE_TEXT[r].label}</strong>
                  <span class="text-muted small">{ROLE_TEXT[r].what}</span>
                </span>
              </label>
            ))}
          </div>
        </fieldset>
      </form>
    </Dialog>
  );
}

function AddedDialog({ added, onClose }: { added: AddMemberResponse; onClose: () => void }): JSX.Element {
  return (
    <Dialog
      title={`${added.member.name} can now sign in`}
      onClose={onClose}
      footer={
        <button type="button" class="button button-primary" onClick={onClose}>
          Done
        </button>
      }
    >
      <p>
        Give {added.member.name} this one-time password, by phone or in person. It is shown once.
        {added.member.role !== 'viewer' ? ' At their first sign-in they set up two-factor sign-in with their phone.' : ''}
      </p>
      <div class="temp-password">
        <code data-testid="temporary-password">{added.temporaryPassword}</code>
        <CopyButton text={added.temporaryPassword} />
      </div>
      <p class="text-muted small">E-mail: {added.member.email}</p>
    </Dialog>
  );
}

export function TeamScreen(): JSX.Element {
  const { session, can } = useConsole();
  const isOwner = can('owner');
  const [members, setMembers] = useState<TeamMember[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [adding, setAdding] = useState(false);
  const [added, setAdded] = useState<AddMemberResponse | null>(null);
  const [removing, setRemoving] = useState<TeamMember | null>(null);

  const load = () =>
    api.get<TeamResponse>('/v1/console/team').then(
      (r) => setMembers(r.members),
      (err: unknown) => setError(err instanceof ApiError ? err.message : 'Could not load the team.'),
    );
  useEffect(() => void load(), []);

  const act = async (run: () => Promise<TeamResponse>) => {
    setError(null);
    try {
      setMembers((await run()).members);
    } catch (err) {
      setError(err instanceof ApiError ? err.message : 'That did not work; try again.');
    }
  };

  const columns: Column<TeamMember>[] = [
    {
      key: 'person',
      header: 'Person',
      render: (m) => (
        <span class="person">
          <span class="avatar avatar-muted">{initials(m.name)}</span>
          <span class="cell-stack">
            <span class="strong">
              {m.name}
              {m.id === session.user.id ? <span class="text-muted"> (you)</span> : null}
            </span>
            <span class="text-muted small">{m.email}</span>
          </span>
        </span>
      ),
    },
    {
      key: 'role',
      header: 'Role',
      width: '180px',
      render: (m) =>
        isOwner && m.id !== session.user.id ? (
          <select
            class="select-compact"
            aria-label={`Role of ${m.name}`}
            value={m.role}
            onChange={(e) => {
              const role = e.currentTarget.value as Role;
              void act(() => api.patch<TeamResponse>(`/v1/console/team/${encodeURIComponent(m.id)}`, { role }));
            }}
          >
            {(Object.keys(ROLE_TEXT) as Role[]).map((r) => (
              <option key={r} value={r}>
                {ROLE_TEXT[r].label}
              </option>
            ))}
          </select>
        ) : (
          <Badge tone={m.role === 'owner' ? 'accent' : 'neutral'}>{ROLE_TEXT[m.role].label}</Badge>
        ),
    },
    {
      key: 'totp',
      header: 'Two-factor',
      width: '150px',
      render: (m) =>
        m.totpEnrolled ? (
          <Badge tone="success">
            <Icon name="check" size={12} /> On
          </Badge>
        ) : m.role === 'viewer' ? (
          <Badge>Off</Badge>
        ) : (
          <Badge tone="warning" title="Set up at their next sign-in">
            At next sign-in
          </Badge>
        ),
    },
    { key: 'seen', header: 'Last active', width: '150px', render: (m) => <span class="text-muted">{m.lastSeenAt ? formatAgo(m.lastSeenAt) : 'Not signed in'}</span> },
    { key: 'added', header: 'Added', width: '130px', render: (m) => <span class="text-muted">{formatDate(m.createdAt)}</span> },
    ...(isOwner
      ? [
          {
            key: 'actions',
            header: <span class="visually-hidden">Actions</span>,
            align: 'right' as const,
            width: '64px',
            render: (m: TeamMember) =>
              m.id === session.user.id ? null : (
                <button type="button" class="icon-button danger" aria-label={`Remove ${m.name}`} title={`Remove ${m.name}`} onClick={() => setRemoving(m)}>
                  <Icon name="trash" size={16} />
                </button>
              ),
          },
        ]
      : []),
  ];

  return (
    <>
      <PageHeader
        title="Team"
        description={`The people of ${session.organisation.name} who can sign in to this console.`}
        actions={
          isOwner ? (
            <button type="button" class="button button-primary" onClick={() => setAdding(true)}>
              <Icon name="plus" size={16} /> Add member
            </button>
          ) : null
        }
      />
      {error ? <Notice tone="error">{error}</Notice> : null}
      <Card flush>
        {members ? (
          <DataTable
            label="Team"
            columns={columns}
            rows={members}
            rowKey={(m) => m.id}
            empty={<EmptyState icon="team" title="No one here yet">Add the people who run your events.</EmptyState>}
          />
        ) : (
          <div class="card-pad">
            <Skeleton rows={4} />
          </div>
        )}
      </Card>
      <div class="role-legend">
        {(Object.keys(ROLE_TEXT) as Role[]).map((r) => (
          <div key={r} class="role-legend-item">
            <Badge tone={r === 'owner' ? 'accent' : 'neutral'}>{ROLE_TEXT[r].label}</Badge>
            <span class="text-muted small">{ROLE_TEXT[r].what}</span>
          </div>
        ))}
        {!isOwner ? <div class="text-muted small">Only owners can add people or change roles.</div> : null}
      </div>
      {adding ? (
        <AddMemberDialog
          onClose={() => setAdding(false)}
          onAdded={(r) => {
            setAdding(false);
            setAdded(r);
            void load();
          }}
        />
      ) : null}
      {added ? <AddedDialog added={added} onClose={() => setAdded(null)} /> : null}
      {removing ? (
        <ConfirmDialog
          title={`Remove ${removing.name}?`}
          action="Remove"
          tone="danger"
          onClose={() => setRemoving(null)}
          onConfirm={() => void act(() => api.delete<TeamResponse>(`/v1/console/team/${encodeURIComponent(removing.id)}`))}
        >
          <p>
            {removing.name} ({removing.email}) is signed out everywhere and can no longer sign in. What they did stays in the audit log.
          </p>
        </ConfirmDialog>
      ) : null}
    </>
  );
}
