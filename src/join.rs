//! `join_all` for the short lists of lookups and checks an analysis runs at once: DKIM
//! signatures, ARC keys, the names SPF asks ahead, iprev's names, DMARC's tree walks, the
//! audit's MX hosts. futures-util's `join_all` switches to `FuturesOrdered` past 30 futures,
//! and that machinery (`FuturesUnordered`, a binary heap) was about 7 KB of the page's Message
//! view module (BENCHMARKS.md, "Size"). Here every future not yet done is polled on each
//! wake-up, as futures-util does for short lists: O(n) a wake-up, which the lists here,
//! bounded by the analyses' own limits, never notice.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_util::future::{maybe_done, MaybeDone};

/// Runs every future of `futures` at once; their outputs in the order given.
pub fn join_all<I>(futures: I) -> JoinAll<I::Item>
where
    I: IntoIterator,
    I::Item: Future,
{
    JoinAll {
        slots: futures
            .into_iter()
            .map(|future| Box::pin(maybe_done(future)))
            .collect(),
    }
}

/// The future [`join_all`] returns.
pub struct JoinAll<F: Future> {
    slots: Vec<Pin<Box<MaybeDone<F>>>>,
}

impl<F: Future> Future for JoinAll<F> {
    type Output = Vec<F::Output>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let slots = &mut self.get_mut().slots;
        let mut pending = false;
        for slot in slots.iter_mut() {
            pending |= slot.as_mut().poll(cx).is_pending();
        }
        if pending {
            return Poll::Pending;
        }
        Poll::Ready(
            slots
                .iter_mut()
                .filter_map(|slot| slot.as_mut().take_output())
                .collect(),
        )
    }
}

#[cfg(test)]
mod tests;
