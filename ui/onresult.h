#pragma once

#include <QFuture>
#include <QFutureWatcher>
#include <QObject>

#include <utility>

namespace LeadDesk::Ui {

// Calls `handler` with the result of `future` on `context`'s thread once the future has finished,
// unless `context` has been destroyed by then: a read that outlives its dialog is dropped.
// (QFuture::then(context, ...) in Qt 6.4 asserts when the context dies first; a watcher owned by
// the context dies with it instead. After qt-creator's Utils::onResultReady.)
template<typename T, typename Handler>
void onResult(const QFuture<T> &future, QObject *context, Handler &&handler)
{
    auto *watcher = new QFutureWatcher<T>(context);
    QObject::connect(watcher, &QFutureWatcherBase::finished, context,
                     [watcher, handler = std::forward<Handler>(handler)]() mutable {
                         watcher->deleteLater();
                         handler(watcher->future().result());
                     });
    watcher->setFuture(future);
}

} // namespace LeadDesk::Ui
