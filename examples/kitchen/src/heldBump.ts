import type { TicketLine } from '@kitchen-sync/client/feed-views';
import type { OrderStatus } from '@kitchen-sync/protocol';

/**
 * Why the order-level step to `next` is not offered, or null when it is: a ticket marked ready
 * (or handed out) with a held course would serve food no station was asked to cook, and the
 * relay refuses it. The course is fired (POS or its fire time) or the order cancelled first.
 */
export function heldBumpReason(lines: readonly TicketLine[], next: OrderStatus): string | null {
  if (next !== 'ready' && next !== 'completed') return null;
  const courses: string[] = [];
  for (const line of lines) {
    if (!line.held) continue;
    const course = line.course === null ? '' : String(line.course);
    if (!courses.includes(course)) courses.push(course);
  }
  if (courses.length === 0) return null;
  const named = courses.every((course) => course !== '') ? ` ${courses.join(', ')}` : '';
  return `Course${named} masih DITAHAN: tunggu fire dari kasir, atau batalkan pesanan`;
}
