import Hummingbird
import Prometheus
import Yams
import NIOSSL
