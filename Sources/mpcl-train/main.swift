print("mpcl-train: not yet")
