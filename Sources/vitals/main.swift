import ArgumentParser
import VitalsServer
print("x")
