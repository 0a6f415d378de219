"""A separate client process: registers instances over gRPC, prints READY, then waits to be killed."""
import asyncio
import sys
import tempfile

from v2.nacos import ClientConfigBuilder, NacosNamingService, RegisterInstanceParam


async def main(port, service, instance_port):
    directory = tempfile.mkdtemp(prefix="nacos-client-")
    config = (ClientConfigBuilder().server_address(f"127.0.0.1:{port}").log_dir(directory)
              .cache_dir(directory).build())
    naming = await NacosNamingService.create_naming_service(config)
    await naming.register_instance(RegisterInstanceParam(
        service_name=service, ip="127.0.0.1", port=instance_port))
    print("READY", flush=True)
    await asyncio.sleep(3600)


asyncio.run(main(int(sys.argv[1]), sys.argv[2], int(sys.argv[3])))
