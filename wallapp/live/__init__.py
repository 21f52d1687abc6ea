"""The live side of the data layer: sources running on asyncio (any loop; the app's runs under qasync).

    from wallapp.live import Network, SourceRunner, open_store

    store = open_store("posts", spec, cache_dir, schedule=frame_scheduler)  # last good data at once
    network = Network(settings.tls, settings.proxy)  # trust store, proxies, shared HTTP clients
    runner = SourceRunner("posts", spec, store, network)
    runner.start()                        # on the running loop
    store.subscribe(on_change)            # coalesced change events
    runner.freshness()                    # live / stale / failing, age, last error
    await runner.stop()
    await network.aclose()

No Qt here: the Qt side passes a scheduler and subscribes.
"""

from wallapp.live.network import Network
from wallapp.live.runner import SourceRunner, describe_target, open_store

__all__ = ["Network", "SourceRunner", "describe_target", "open_store"]
