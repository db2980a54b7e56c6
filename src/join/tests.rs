use std::cell::Cell;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use super::join_all;

/// Ready after being polled `polls` times, waking itself each time before then.
struct After {
    polls: u32,
    value: u32,
    polled: std::rc::Rc<Cell<u32>>,
}

impl Future for After {
    type Output = u32;
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<u32> {
        self.polled.set(self.polled.get() + 1);
        if self.polls == 0 {
            return Poll::Ready(self.value);
        }
        self.polls -= 1;
        cx.waker().wake_by_ref();
        Poll::Pending
    }
}

#[test]
fn outputs_come_in_the_order_given_whichever_finishes_first() {
    let polled = std::rc::Rc::new(Cell::new(0));
    let futures = [(3, 10), (0, 11), (7, 12), (1, 13)].map(|(polls, value)| After {
        polls,
        value,
        polled: polled.clone(),
    });
    assert_eq!(pollster::block_on(join_all(futures)), [10, 11, 12, 13]);
    // A future that is done is not polled again: 4 + 1 + 8 + 2 polls.
    assert_eq!(polled.get(), 15);
}

#[test]
fn many_and_none() {
    let outputs = pollster::block_on(join_all((0..100_u32).map(|n| async move { n * 2 })));
    assert_eq!(outputs, (0..100).map(|n| n * 2).collect::<Vec<_>>());
    let none: Vec<u32> = pollster::block_on(join_all(Vec::<std::future::Ready<u32>>::new()));
    assert!(none.is_empty());
}
